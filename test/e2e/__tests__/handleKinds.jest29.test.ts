import {describeHandleKinds} from './handleKinds';

describeHandleKinds(29);

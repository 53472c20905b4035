import {describeHandleKinds} from './handleKinds';

describeHandleKinds(30);

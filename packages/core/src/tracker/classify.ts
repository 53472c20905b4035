import type {HandleKind} from '../model';

/**
 * async_hooks types that can outlive a test, with the kind they report as.
 * Everything else (PROMISE, TickObject, *REQ*, *WRAP requests) is short-lived:
 * it only carries the owner forward and never gets a record or a stack.
 */
export const TRACKED_TYPES: ReadonlyMap<string, HandleKind> = new Map<string, HandleKind>([
  ['Timeout', 'timer'],
  ['Immediate', 'timer'],
  ['TCPSERVERWRAP', 'server'],
  ['PIPESERVERWRAP', 'server'],
  ['TCPWRAP', 'socket'],
  ['PIPEWRAP', 'socket'],
  // TLSWRAP rides on a TCPWRAP that is tracked already; reporting both would double count.
  ['UDPWRAP', 'socket'],
  ['FSEVENTWRAP', 'watcher'],
  ['STATWATCHER', 'watcher'],
  ['PROCESSWRAP', 'child-process'],
  ['WORKER', 'worker'],
  ['MESSAGEPORT', 'other'],
  ['TTYWRAP', 'other'],
  // Not SIGNALWRAP: Node unrefs a signal handle as it creates it and no public object holds
  // it, so it is never alive; the listener behind it is the state check's process-listener
  // finding. Tracking it only cost a stack per handle, and write-file-atomic (Jest's
  // transform cache) adds and removes ~17 signal listeners per cache write.
  ['HTTP2SESSION', 'socket'],
  ['QUICSESSION', 'socket'],
]);

/**
 * Names `process.getActiveResourcesInfo()` uses for the tracked async_hooks types,
 * for the cross-check that nothing slipped past the hook.
 */
export const ACTIVE_INFO_TYPE: ReadonlyMap<string, string> = new Map([
  ['Timeout', 'Timeout'],
  ['Immediate', 'Immediate'],
  ['TCPSERVERWRAP', 'TCPServerWrap'],
  ['PIPESERVERWRAP', 'PipeServerWrap'],
  ['TCPWRAP', 'TCPSocketWrap'],
  ['PIPEWRAP', 'PipeWrap'],
  ['UDPWRAP', 'UDPWrap'],
  ['FSEVENTWRAP', 'FSEventWrap'],
  ['STATWATCHER', 'StatWatcher'],
  ['PROCESSWRAP', 'ProcessWrap'],
  ['TTYWRAP', 'TTYWrap'],
]);

/** Active-resource names that are requests in flight, not handles: never "growth". */
export function isTransientActiveType(name: string): boolean {
  // Immediates run on the next loop turn by definition; Jest queues its own between events.
  return name === 'Immediate' || /Req|Request|ConnectWrap|WriteWrap|ShutdownWrap|CloseReq/.test(name);
}

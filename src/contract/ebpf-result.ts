/**
 * ebpf_result_t: the expected outcomes of map operations and callbacks, with
 * the numbering of eBPF for Windows (include/ebpf_result.h).
 */
export const EbpfResult = {
  Success: 0,
  InvalidObject: 5,
  InvalidArgument: 6,
  ObjectNotFound: 7,
  ObjectAlreadyExists: 8,
  NoMemory: 12,
  OperationNotSupported: 18,
  KeyNotFound: 19,
  ExtensionFailedToLoad: 23,
  OutOfSpace: 29,
  NoMoreKeys: 25,
} as const;
export type EbpfResultCode = (typeof EbpfResult)[keyof typeof EbpfResult];

/**
 * Every ebpf_result_t name by code, 0 to EBPF_TRY_AGAIN (35), in the order of
 * include/ebpf_result.h. A callback result outside these is no ebpf_result_t
 * (provider.bad-result).
 */
const NAMES: readonly string[] = [
  'EBPF_SUCCESS', 'EBPF_VERIFICATION_FAILED', 'EBPF_JIT_COMPILATION_FAILED', 'EBPF_PROGRAM_LOAD_FAILED',
  'EBPF_INVALID_FD', 'EBPF_INVALID_OBJECT', 'EBPF_INVALID_ARGUMENT', 'EBPF_OBJECT_NOT_FOUND',
  'EBPF_OBJECT_ALREADY_EXISTS', 'EBPF_FILE_NOT_FOUND', 'EBPF_ALREADY_PINNED', 'EBPF_NOT_PINNED',
  'EBPF_NO_MEMORY', 'EBPF_PROGRAM_TOO_LARGE', 'EBPF_RPC_EXCEPTION', 'EBPF_ALREADY_INITIALIZED',
  'EBPF_ELF_PARSING_FAILED', 'EBPF_FAILED', 'EBPF_OPERATION_NOT_SUPPORTED', 'EBPF_KEY_NOT_FOUND',
  'EBPF_ACCESS_DENIED', 'EBPF_BLOCKED_BY_POLICY', 'EBPF_ARITHMETIC_OVERFLOW', 'EBPF_EXTENSION_FAILED_TO_LOAD',
  'EBPF_INSUFFICIENT_BUFFER', 'EBPF_NO_MORE_KEYS', 'EBPF_KEY_ALREADY_EXISTS', 'EBPF_NO_MORE_TAIL_CALLS',
  'EBPF_PENDING', 'EBPF_OUT_OF_SPACE', 'EBPF_CANCELED', 'EBPF_INVALID_POINTER',
  'EBPF_TIMEOUT', 'EBPF_STALE_ID', 'EBPF_INVALID_STATE', 'EBPF_TRY_AGAIN',
];

/** EBPF_FAILED: what the runtime takes a callback result that is no ebpf_result_t for. */
export const EBPF_FAILED = 17;

/** True when `r` is an ebpf_result_t code: an integer from 0 to 35 (no allocation, no call into `r`). */
export function isResultCode(r: unknown): r is number {
  return typeof r === 'number' && (r | 0) === r && r >= 0 && r < NAMES.length;
}

export function resultName(code: number): string {
  return NAMES[code] ?? `EBPF_RESULT_${code}`;
}

export function resultCode(name: string): number | undefined {
  const code = NAMES.indexOf(name);
  return code < 0 ? undefined : code;
}

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
} as const;
export type EbpfResultCode = (typeof EbpfResult)[keyof typeof EbpfResult];

const NAMES: Record<number, string> = {
  0: 'EBPF_SUCCESS',
  5: 'EBPF_INVALID_OBJECT',
  6: 'EBPF_INVALID_ARGUMENT',
  7: 'EBPF_OBJECT_NOT_FOUND',
  8: 'EBPF_OBJECT_ALREADY_EXISTS',
  12: 'EBPF_NO_MEMORY',
  18: 'EBPF_OPERATION_NOT_SUPPORTED',
  19: 'EBPF_KEY_NOT_FOUND',
  23: 'EBPF_EXTENSION_FAILED_TO_LOAD',
  29: 'EBPF_OUT_OF_SPACE',
};

export function resultName(code: number): string {
  return NAMES[code] ?? `EBPF_RESULT_${code}`;
}

export function resultCode(name: string): number | undefined {
  for (const [code, n] of Object.entries(NAMES)) if (n === name) return Number(code);
  return undefined;
}

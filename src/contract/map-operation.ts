/**
 * What a map operation carries to the provider: the EBPF_MAP_OPERATION_*
 * flags of every callback, and the update option of an update.
 */

/** EBPF_MAP_OPERATION_* flags passed to provider callbacks. */
export const MapOperationFlag = { None: 0, Helper: 0x01, Update: 0x02, MapCleanup: 0x04 } as const;

export function flagNames(flags: number): string[] {
  const names: string[] = [];
  if (flags & MapOperationFlag.Helper) names.push('EBPF_MAP_OPERATION_HELPER');
  if (flags & MapOperationFlag.Update) names.push('EBPF_MAP_OPERATION_UPDATE');
  if (flags & MapOperationFlag.MapCleanup) names.push('EBPF_MAP_OPERATION_MAP_CLEANUP');
  return names;
}

/** Update options (EBPF_ANY / EBPF_NOEXIST / EBPF_EXIST). */
export const UpdateOption = { Any: 0, NoExist: 1, Exist: 2 } as const;
export const OPTION_NAMES = ['ANY', 'NOEXIST', 'EXIST'] as const;

/** An update option's name, or its number when it is none of them (a bad option from a program). */
export function optionName(option: number): string {
  return OPTION_NAMES[option] ?? String(option);
}

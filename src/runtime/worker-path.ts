/** Locates the compiled worker entry points (dist/workers/*.js). */
export function workerPath(name: 'cpu' | 'epoch-manager' | 'provider-check' | 'bench-floor'): string {
  return new URL(`../../workers/${name}.js`, import.meta.url).href;
}

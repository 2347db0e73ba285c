// Types for the vendored Preact + htm standalone module (only what the app uses).
export type VNode = { type: unknown; props: Record<string, unknown> };
export function html(strings: TemplateStringsArray, ...values: unknown[]): VNode;
export function render(tree: VNode, parent: Element): void;
export function useState<T>(initial: T | (() => T)): [T, (value: T | ((previous: T) => T)) => void];
export function useEffect(effect: () => void | (() => void), inputs?: unknown[]): void;
export function useRef<T>(initial: T): { current: T };
export function useMemo<T>(factory: () => T, inputs: unknown[]): T;
export function useCallback<T extends Function>(callback: T, inputs: unknown[]): T;

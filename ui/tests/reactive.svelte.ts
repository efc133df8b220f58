/** A reactive value for tests, passed to components as a getter prop (test files cannot use runes). */
export function reactive<T>(initial: T): { value: T } {
  let value = $state(initial);
  return {
    get value() {
      return value;
    },
    set value(next: T) {
      value = next;
    },
  };
}

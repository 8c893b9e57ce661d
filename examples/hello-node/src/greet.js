// The service's one piece of logic, kept pure so it is easy to test.
export function greet(name) {
  const who = typeof name === "string" && name.trim() ? name.trim() : "world";
  return `hello, ${who}`;
}

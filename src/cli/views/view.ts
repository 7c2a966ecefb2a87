// The one place read commands print through (terraform's internal/command/views is the model): a
// command computes a result and hands it to its view, which renders human text or the --json document.

/** How one command's result is shown. Both renderings are pure; render() prints them. */
export interface View<T> {
  /** Human text, no trailing newline. */
  text(result: T): string;
  /** The --json document (a plain object or array, serialised by render()). */
  json(result: T): unknown;
  /** JSON on one line instead of indented by 2 (validate's documented machine format). */
  compactJson?: boolean;
}

export interface RenderOptions {
  json?: boolean;
}

/** The output of a view as one string, without printing it. */
export function renderText<T>(view: View<T>, result: T, o: RenderOptions = {}): string {
  if (!o.json) return view.text(result);
  return JSON.stringify(view.json(result), null, view.compactJson ? undefined : 2);
}

/** Prints the result to stdout: --json gives the JSON document, otherwise the text. */
export function render<T>(view: View<T>, result: T, o: RenderOptions = {}): void {
  console.log(renderText(view, result, o));
}

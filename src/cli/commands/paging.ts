import type { Page } from "../../contract/index.js";

/** The longest --all may run; beyond this a list is better filtered than printed. */
const MAX_PAGES = 1000;

/** One page, or with `all` every page from `cursor` on, concatenated. */
export async function collectPages<T>(
  options: { cursor?: string; all: boolean },
  fetchPage: (cursor: string | undefined) => Promise<Page<T>>,
): Promise<Page<T>> {
  let page = await fetchPage(options.cursor);
  if (!options.all) return page;
  const data = [...page.data];
  for (let pages = 1; page.nextCursor && pages < MAX_PAGES; pages++) {
    page = await fetchPage(page.nextCursor);
    data.push(...page.data);
  }
  return { data, nextCursor: page.nextCursor };
}

import { readdirSync, readFileSync } from "node:fs";

/** The state letter and parent pid of a process, from /proc/<pid>/stat; undefined once it is gone. */
function stat(pid: number | string): { state: string; ppid: number } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, "utf8");
    // pid (comm) state ppid …: comm may hold spaces and parentheses, so read after the last ")".
    const [state, ppid] = text.slice(text.lastIndexOf(")") + 2).split(" ");
    return { state: state!, ppid: Number(ppid) };
  } catch {
    return undefined;
  }
}

/** Children of `parentPid` running the import module (`import-process.js`), from /proc (Linux). */
export function importProcessesOf(parentPid: number): number[] {
  const found: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry) || stat(entry)?.ppid !== parentPid) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, "utf8").includes("import-process.js")) found.push(Number(entry));
    } catch {
      // gone while we looked
    }
  }
  return found;
}

/** Whether the process still runs (a zombie, waiting for a parent that may never reap it, has ended). */
export function isRunning(pid: number): boolean {
  const state = stat(pid)?.state;
  return state !== undefined && state !== "Z";
}

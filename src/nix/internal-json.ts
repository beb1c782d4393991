// Parses `--log-format internal-json` lines ("@nix {...}") into events.
// Activity and result type numbers are Nix's ActivityType / ResultType enums (src/libutil/logging.hh).
export const ACT_FILE_TRANSFER = 101;
export const ACT_BUILDS = 104;
export const ACT_BUILD = 105;
export const RES_PROGRESS = 105;
export const RES_BUILD_LOG_LINE = 101;
export const RES_SET_PHASE = 104;
export const RES_POST_BUILD_LOG_LINE = 107;

export type NixEvent =
  | { action: "start"; id: number; type: number; text: string; fields?: unknown[] }
  | { action: "stop"; id: number }
  | { action: "result"; id: number; type: number; fields: unknown[] }
  | { action: "msg"; level: number; msg: string };

export function parseLogLine(line: string): NixEvent | { action: "text"; text: string } {
  if (!line.startsWith("@nix ")) return { action: "text", text: line };
  try {
    return JSON.parse(line.slice(5)) as NixEvent;
  } catch {
    return { action: "text", text: line };
  }
}

export const stripAnsi = (text: string): string => text.replace(/\x1b\[[0-9;]*[A-Za-z]/g, "");

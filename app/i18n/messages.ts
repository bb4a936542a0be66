import type { MessageKey } from "./en";

export type { MessageKey };
/** A dictionary: every key of the English one, each a string (with the same {placeholders}). */
export type Messages = Record<MessageKey, string>;

// The names a user may give the logger (levels, formats), without the logger: the CLI lists them
// as choices for every command, and loading pino for that would slow every client command.

/** pino's level names, most severe first; `silent` logs nothing. */
export const logLevelNames = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export const logFormats = ['pretty', 'json'] as const;
export type LogFormat = (typeof logFormats)[number];

// Every error the daemon reports to a user has a stable code, listed here and in README.md.
export const ERROR_CODES = {
  LOGSIFT_ERR_CONFIG_READ: 'the configuration file could not be read',
  LOGSIFT_ERR_CONFIG_SYNTAX: 'the configuration file is not valid YAML',
  LOGSIFT_ERR_CONFIG_INVALID: 'the configuration has errors (each is listed with its dotted path)',
  LOGSIFT_ERR_START: 'a component failed to start (port in use, unwritable path, ...)',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

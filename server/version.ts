/** The gateway's version, announced in connection.start and to the broker. */
export const VERSION = '0.1.0';

/** The package version, reported by `lathe --version` and the server's `/version`. */
export const VERSION = "0.1.0";

// A job that does nothing: what a forked child costs is then only its start and its exit.
export {};

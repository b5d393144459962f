/** Every table, for types. Clients use the directory or history schema of their own database. */
export * from "./directory";
export * from "./integration";
export * from "./moderation";
export * from "./history";

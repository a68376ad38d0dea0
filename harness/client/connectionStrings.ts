// Variants of a connection string in the components' formats: `redis[s]://user:password@host:port/db`
// and `redis[s]+sentinel://user:password@host:port,host:port,…/masterName/db`. The Sentinel format
// lists several hosts, which WHATWG `URL` cannot parse, so the parts are replaced as text.

/** The string with another password (URL-encoded, as the components encode theirs). */
export function withPassword(connectionString: string, password: string): string {
    const m = /^([a-z+]+:\/\/[^:@/]*:)[^@]*(@.*)$/.exec(connectionString);
    if (!m) throw new Error("withPassword: no user:password@ in the connection string");
    return `${m[1]}${encodeURIComponent(password)}${m[2]}`;
}

/** The string with another database: the last path segment in both formats. */
export function withDb(connectionString: string, db: number): string {
    if (!/\/\d+$/.test(connectionString)) throw new Error("withDb: the connection string does not end in /<db>");
    return connectionString.replace(/\/\d+$/, `/${db}`);
}

// Caching rules per path (`--cache-rules FILE`): an ordered list carried in the zip as
// cache-rules.json (so it is part of the code's hash, not of Lambda's 4 KB environment),
// first match wins. Each rule overrides the settings it names for the paths it matches.
import { readFileSync } from 'node:fs';

export const RULES_FILE = 'cache-rules.json';

/** A CloudFront-style path pattern: `*` any characters (slashes too), `?` exactly one. */
export function patternMatcher(pattern) {
  const source = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${source}$`);
}

/**
 * The rules of the file next to this module, as written (none: an empty list). The CLI
 * has validated them; a file that is not a list is a configuration error, as a bad
 * variable is.
 */
export function loadRules(url = new URL(RULES_FILE, import.meta.url)) {
  let text;
  try { text = readFileSync(url, 'utf8'); } catch (err) {
    if (err.code === 'ENOENT') return [];
    throw err;
  }
  const list = JSON.parse(text);
  if (!Array.isArray(list)) throw new Error(`${RULES_FILE} is not a list of rules`);
  return list;
}

/** Rules ready to match. */
export function compileRules(list) {
  return list.map((rule) => ({ ...rule, match: patternMatcher(rule.path) }));
}

/**
 * The settings for a path: the first matching rule over the function's own. Returns
 * { cache, rule (policy.mjs's), forwardHeaders, ignoreQueryParams, index } (index: which
 * rule matched, -1 for none).
 */
export function settingsFor(path, rules, config) {
  const index = rules.findIndex((r) => r.match.test(path));
  const base = { cache: true, rule: config.rule, forwardHeaders: config.forwardHeaders, ignoreQueryParams: config.ignoreQueryParams, index };
  if (index < 0) return base;
  const r = rules[index];
  return {
    index,
    cache: r.cache !== false,
    rule: {
      ...config.rule,
      ...(r['cache-ttl'] !== undefined && { ttl: r['cache-ttl'] }),
      ...(r['min-ttl'] !== undefined && { minTtl: r['min-ttl'] }),
      ...(r['max-ttl'] !== undefined && { maxTtl: r['max-ttl'] }),
      ...(r['negative-ttl'] !== undefined && { negativeTtl: r['negative-ttl'] }),
    },
    forwardHeaders: r['forward-header']?.map((h) => h.toLowerCase()) ?? config.forwardHeaders,
    ignoreQueryParams: r['ignore-query-param'] ?? config.ignoreQueryParams,
  };
}

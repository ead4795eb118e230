// A watcher's scope: whether they watch every party (`all`) or their own (`party`). The e-commerce
// team's watchers watch every party unless told otherwise; an IT team lead is given `all` in their
// own party. Only watchers watch beyond their party: admins and managers see every party by role,
// members never do.
export const WATCHER_SCOPES = ['all', 'party'] as const;
export type WatcherScope = (typeof WATCHER_SCOPES)[number];

/** The scope a new member gets when none is given. */
export function defaultScope(role: string, partyKind: string): WatcherScope {
  return role === 'watcher' && partyKind === 'ecommerce' ? 'all' : 'party';
}

/** Why a member of this role cannot have this scope; undefined when it can. */
export function scopeProblem(role: string, scope: WatcherScope): string | undefined {
  return scope === 'all' && role !== 'watcher' ? 'only watchers can have the scope all' : undefined;
}

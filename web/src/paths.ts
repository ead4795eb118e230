// The app's pages: the client's router and the server (api/web-app.ts, which answers each with the
// app's index.html) read this one list, so a page never 404s on reload.
export const APP_PATHS = {
  home: '/',
  board: '/board',
  inbox: '/inbox',
  newBrief: '/briefs/new',
  brief: '/briefs/:id',
  programs: '/programs',
  program: '/programs/:id',
  escalations: '/escalations',
  admin: '/admin',
  adminSection: '/admin/:section',
  reports: '/reports',
  scorecard: '/reports/:partyId',
  settings: '/settings',
  signIn: '/signin',
  signInLink: '/signin/:token',
} as const;

export const briefPath = (id: string) => `/briefs/${encodeURIComponent(id)}`;
export const programPath = (id: string) => `/programs/${encodeURIComponent(id)}`;
export const scorecardPath = (partyId: string) => `/reports/${encodeURIComponent(partyId)}`;

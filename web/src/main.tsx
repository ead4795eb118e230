// The web app: one page per job (the manager's board, a party's inbox, the IT escalation board,
// administration), behind a sign-in, in German or English.
import { render } from 'preact';
import { useEffect } from 'preact/hooks';
import { LocationProvider, Route, Router, useLocation } from 'preact-iso';
import { Layout } from './components/Layout';
import { locale, setLocale, useCommon } from './i18n';
import { Admin } from './pages/Admin';
import { Board } from './pages/Board';
import { BriefPage } from './pages/BriefPage';
import { ProgramPage } from './pages/ProgramPage';
import { Programs } from './pages/Programs';
import { Escalations } from './pages/Escalations';
import { Inbox } from './pages/Inbox';
import { NewBrief } from './pages/NewBrief';
import { NotFound } from './pages/NotFound';
import { Reports } from './pages/Reports';
import { Scorecard } from './pages/Scorecard';
import { Settings } from './pages/Settings';
import { SignIn, SignInLink } from './pages/SignIn';
import { APP_PATHS } from './paths';
import { loadSession, session, type Session } from './session';

/** Where a member starts: managers on their board, a party's members in its inbox, watchers on the escalation board. */
export function homeOf(current: Session): string {
  const { role } = current.member;
  if (role === 'manager' || role === 'admin') return APP_PATHS.board;
  if (role === 'watcher') return APP_PATHS.escalations;
  return APP_PATHS.inbox;
}

function Home() {
  const { route } = useLocation();
  const current = session.value;
  useEffect(() => {
    if (current) route(homeOf(current), true);
  }, [current]);
  return null;
}

function Routes() {
  const { path } = useLocation();
  const text = useCommon();
  const current = session.value;
  if (current === undefined) return <p class="loading" role="status">{text.loading}</p>;
  if (path.startsWith('/signin/')) {
    return (
      <Router>
        {[<Route key="link" path={APP_PATHS.signInLink} component={SignInLink} />]}
      </Router>
    );
  }
  if (current === null) return <SignIn />;
  return (
    <Layout>
      <Router>
        <Route path={APP_PATHS.home} component={Home} />
        <Route path={APP_PATHS.board} component={Board} />
        <Route path={APP_PATHS.inbox} component={Inbox} />
        <Route path={APP_PATHS.newBrief} component={NewBrief} />
        <Route path={APP_PATHS.brief} component={BriefPage} />
        <Route path={APP_PATHS.programs} component={Programs} />
        <Route path={APP_PATHS.program} component={ProgramPage} />
        <Route path={APP_PATHS.escalations} component={Escalations} />
        <Route path={APP_PATHS.admin} component={Admin} />
        <Route path={APP_PATHS.adminSection} component={Admin} />
        <Route path={APP_PATHS.reports} component={Reports} />
        <Route path={APP_PATHS.scorecard} component={Scorecard} />
        <Route path={APP_PATHS.settings} component={Settings} />
        <Route path={APP_PATHS.signIn} component={Home} />
        <Route default component={NotFound} />
      </Router>
    </Layout>
  );
}

function App() {
  useEffect(() => {
    document.documentElement.lang = locale.value;
    loadSession().catch(() => {
      session.value = null;
    });
  }, []);
  return (
    <LocationProvider>
      <Routes />
    </LocationProvider>
  );
}

setLocale(locale.value, false);
render(<App />, document.getElementById('app') as HTMLElement);

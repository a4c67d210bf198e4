import { useEffect } from "preact/hooks";

import { authStore, refreshMe } from "./auth";
import { TopBar } from "./components/TopBar";
import { UpdateToast } from "./components/UpdateToast";
import { translate, useLang, useT } from "./i18n";
import { watchNetwork } from "./net";
import { AlarmDetail } from "./pages/AlarmDetail";
import { Alarms } from "./pages/Alarms";
import { BoardPage } from "./pages/Board";
import { Enroll } from "./pages/Enroll";
import { Home } from "./pages/Home";
import { SignIn } from "./pages/SignIn";
import { useRoute } from "./router";
import { useStore } from "./store";

function Page() {
  const t = useT();
  const route = useRoute();
  const auth = useStore(authStore);
  if (route.name === "enroll") return <Enroll code={route.code} />;
  if (route.name === "login") return <SignIn />;
  if (auth.status === "signedIn") {
    if (route.name === "alarms") return <Alarms me={auth.me} />;
    if (route.name === "alarm") return <AlarmDetail id={route.id} />;
    if (route.name === "board") return <BoardPage siteId={route.siteId} />;
    return <Home me={auth.me} savedAt={auth.savedAt} />;
  }
  if (auth.status === "signedOut") return <SignIn />;
  return (
    <p class="muted center" data-testid="loading">
      {t("common.loading")}
    </p>
  );
}

export function App() {
  const lang = useLang();
  const route = useRoute();
  useEffect(() => {
    document.documentElement.lang = lang;
    document.title = translate(lang, "app.title");
  }, [lang]);
  useEffect(() => {
    void refreshMe();
    watchNetwork(() => void refreshMe());
  }, []);
  return (
    <>
      <TopBar />
      <main class={route.name === "board" ? "container container-wide" : "container"}>
        <Page />
      </main>
      <UpdateToast />
    </>
  );
}

import { useEffect } from "preact/hooks";

import { authStore, refreshMe } from "./auth";
import { MyCode } from "./badges/MyCode";
import { ScanPage } from "./badges/ScanPage";
import { TopBar } from "./components/TopBar";
import { UpdateToast } from "./components/UpdateToast";
import { translate, useLang, useT } from "./i18n";
import { watchNetwork } from "./net";
import { AlarmDetail } from "./pages/AlarmDetail";
import { AnalyticsPage } from "./pages/Analytics";
import { AwayPage } from "./pages/Away";
import { DetectorsPage } from "./pages/Detectors";
import { Alarms } from "./pages/Alarms";
import { BoardPage } from "./pages/Board";
import { Enroll } from "./pages/Enroll";
import { Home } from "./pages/Home";
import { PermitApply } from "./pages/PermitApply";
import { PermitView } from "./pages/PermitView";
import { SignIn } from "./pages/SignIn";
import { handlesFindings, historyBack } from "./registry/access";
import { RegistryHistory } from "./registry/History";
import { RegistryPage } from "./registry/RegistryPage";
import { useRoute } from "./router";
import { useStore } from "./store";
import { startSync, stopSync } from "./sync/live";
import { ExamAssess } from "./media/ExamAssess";
import { ExamRecorder } from "./media/ExamRecorder";
import { Liveness } from "./media/Liveness";
import { ScanCertificate } from "./media/ScanCertificate";
import { ScanReview } from "./media/ScanReview";
import { Ledger } from "./workers/Ledger";
import { MyCertificates } from "./workers/MyCertificates";

function Page() {
  const t = useT();
  const route = useRoute();
  const auth = useStore(authStore);
  if (route.name === "enroll") return <Enroll code={route.code} />;
  if (route.name === "login") return <SignIn />;
  if (auth.status === "signedIn") {
    if (route.name === "permitNew") return <PermitApply />;
    if (route.name === "permit") return <PermitView id={route.id} />;
    if (route.name === "certificates") return <MyCertificates />;
    if (route.name === "scan") return <ScanCertificate personId={route.personId ?? auth.me.person_id} />;
    if (route.name === "scans") return <ScanReview scanId={route.scanId} />;
    if (route.name === "liveness") return <Liveness personId={auth.me.person_id} />;
    if (route.name === "exam") return <ExamRecorder personId={auth.me.person_id} />;
    if (route.name === "exams") return <ExamAssess videoId={route.videoId} assessor={auth.me.name} />;
    if (route.name === "ledger") return <Ledger view={route.view} />;
    if (route.name === "alarms") return <Alarms me={auth.me} />;
    if (route.name === "alarm") return <AlarmDetail id={route.id} />;
    if (route.name === "board") return <BoardPage siteId={route.siteId} />;
    if (route.name === "registry") return <RegistryPage canAct={handlesFindings(auth.me.roles)} />;
    if (route.name === "registryHistory") {
      return <RegistryHistory personId={route.personId} back={historyBack(auth.me, route.personId)} />;
    }
    if (route.name === "badge") return <MyCode />;
    if (route.name === "verify") return <ScanPage />;
    if (route.name === "analytics") return <AnalyticsPage unitId={route.unitId} />;
    if (route.name === "away") return <AwayPage me={auth.me} personId={route.personId} />;
    if (route.name === "detectors") return <DetectorsPage unitId={route.unitId} detectorId={route.detectorId} />;
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
  const auth = useStore(authStore);
  const personId = auth.status === "signedIn" ? auth.me.person_id : null;
  useEffect(() => {
    // offline ops are per person; signing out stops replay and keeps the queue for next time
    if (personId) void startSync(personId);
    else stopSync();
  }, [personId]);
  return (
    <>
      <TopBar />
      <main class={route.name === "board" || route.name === "analytics" ? "container container-wide" : "container"}>
        <Page />
      </main>
      <UpdateToast />
    </>
  );
}

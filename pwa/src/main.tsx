import { render } from "preact";

import "./styles.css";
import { App } from "./app";
import { registerServiceWorker } from "./sw-register";

render(<App />, document.getElementById("app")!);

// A dev server rebuilds on every save; a worker caching its files would only get in the way.
if (import.meta.env.PROD) registerServiceWorker();

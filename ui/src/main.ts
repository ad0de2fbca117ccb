import "./styles.css";
import { App } from "./app/app";
import { detectLanguage, setLanguage } from "./lib/i18n/i18n";

setLanguage(detectLanguage(navigator.language));
const root = document.getElementById("app");
if (root) {
  const app = new App(root);
  app.start().catch((e: unknown) => {
    root.textContent = `Clearance could not start: ${String((e as { message?: string }).message ?? e)}`;
  });
}

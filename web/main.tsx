import { render } from "preact";
import { App } from "./components/app";
import "./styles.css";
import "./layout.css";
import "./people.css";
import "./moderation.css";

render(<App />, document.getElementById("root")!);

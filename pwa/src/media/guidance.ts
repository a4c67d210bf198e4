/** On-phone guidance for the liveness challenge: what to tell the person now. The server judges
 * the recorded clip on its own; this only helps the person do the right thing at the right time. */

export type Action = "blink" | "turn_left" | "turn_right" | "open_mouth";

/** What the face model saw in one frame (see human.ts for how Human's result maps to it). */
export interface FaceView {
  /** face width as a share of the frame width */
  size: number;
  /** radians, positive = the person's head turned to their left */
  yaw: number;
  blinking: boolean;
  /** 0–100 */
  mouthOpenPercent: number;
}

export type Advice = "noFace" | "closer" | "centre" | "do" | "done";

const MIN_SIZE = 0.25;
const TURN_RAD = 0.3; // ≈ 17°: the server asks for the nose a quarter of the face width off centre
const MOUTH_OPEN = 30;

/** True when the frame shows `action` being performed. */
export function performs(view: FaceView, action: Action): boolean {
  if (action === "blink") return view.blinking;
  if (action === "turn_left") return view.yaw > TURN_RAD;
  if (action === "turn_right") return view.yaw < -TURN_RAD;
  return view.mouthOpenPercent >= MOUTH_OPEN;
}

/** The advice for this frame while `action` is the one asked for. */
export function advise(view: FaceView | null, action: Action): Advice {
  if (!view) return "noFace";
  if (view.size < MIN_SIZE) return "closer";
  if (performs(view, action)) return "done";
  if (action !== "turn_left" && action !== "turn_right" && Math.abs(view.yaw) > TURN_RAD) return "centre";
  return "do";
}

/** Step through the challenge: the index of the action to show after this frame. */
export function nextStep(step: number, view: FaceView | null, actions: Action[]): number {
  const action = actions[step];
  return action && view && performs(view, action) ? step + 1 : step;
}

/** The browser face model (@vladmandic/human, MIT), loaded on demand with its weights from our own
 * origin (`/models/human/`, copied there at build time): nothing is fetched from a CDN. */

import type { FaceView } from "./guidance";

export const MODEL_BASE = "/models/human/";

type HumanLike = {
  load: () => Promise<void>;
  detect: (input: HTMLVideoElement) => Promise<{
    face: { box: [number, number, number, number]; rotation?: { angle: { yaw: number } } | null }[];
    gesture: { face?: number; gesture: string }[];
  }>;
};

let loading: Promise<HumanLike> | null = null;

export function loadHuman(): Promise<HumanLike> {
  loading ??= import("@vladmandic/human").then(async ({ Human }) => {
    const human = new Human({
      modelBasePath: MODEL_BASE,
      backend: "webgl",
      wasmPath: MODEL_BASE, // never the default CDN path, even if WebGL is missing
      debug: false,
      face: {
        enabled: true,
        detector: { rotation: false, maxDetected: 1, modelPath: "blazeface.json" },
        mesh: { enabled: true, modelPath: "facemesh.json" },
        iris: { enabled: true, modelPath: "iris.json" },
        description: { enabled: false },
        emotion: { enabled: false },
        antispoof: { enabled: false },
        liveness: { enabled: false },
      },
      body: { enabled: false },
      hand: { enabled: false },
      object: { enabled: false },
      segmentation: { enabled: false },
      gesture: { enabled: true },
    }) as unknown as HumanLike;
    await human.load();
    return human;
  });
  return loading;
}

/** One video frame → what guidance needs (null: no face). */
export async function look(human: HumanLike, video: HTMLVideoElement): Promise<FaceView | null> {
  const result = await human.detect(video);
  const face = result.face[0];
  if (!face) return null;
  const mouth = result.gesture.map((g) => /^mouth (\d+)% open$/.exec(g.gesture)).find(Boolean);
  return {
    size: face.box[2] / (video.videoWidth || 1),
    // Human's yaw is in the camera's frame; the preview is mirrored, the person's left is +.
    yaw: face.rotation?.angle.yaw ?? 0,
    blinking: result.gesture.some((g) => g.gesture.startsWith("blink")),
    mouthOpenPercent: mouth ? Number(mouth[1]) : 0,
  };
}

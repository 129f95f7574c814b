/**
 * Turns the classifier's verdict on successive overlapping 1 s windows into detections: a
 * keyword is reported when it wins a window by at least `margin` over the runner-up, and not
 * again until `holdMs` has passed. Labels starting with '_' (_silence_, _unknown_) never fire.
 */
export interface Detection {
  label: string;
  score: number;
  runnerUp: number;
}

export class Detector {
  private readonly labels: string[];
  private readonly margin: number;
  private readonly holdMs: number;
  private lastLabel = -1;
  private lastAt = -Infinity;

  constructor(labels: string[], margin: number, holdMs: number) {
    this.labels = labels;
    this.margin = margin;
    this.holdMs = holdMs;
  }

  update(classIndex: number, scores: Int32Array, nowMs: number): Detection | null {
    const label = this.labels[classIndex] ?? String(classIndex);
    if (label.startsWith("_")) return null;
    const score = scores[classIndex];
    let runnerUp = -Infinity;
    for (let i = 0; i < scores.length; i++) if (i !== classIndex && scores[i] > runnerUp) runnerUp = scores[i];
    if (score - runnerUp < this.margin) return null;
    if (classIndex === this.lastLabel && nowMs - this.lastAt < this.holdMs) return null;
    this.lastLabel = classIndex;
    this.lastAt = nowMs;
    return { label, score, runnerUp };
  }
}

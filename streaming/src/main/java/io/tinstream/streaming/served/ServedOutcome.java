package io.tinstream.streaming.served;

/**
 * The score an impression was served with and the label it then got.
 *
 * <p>A plain POJO (public fields, no-arg constructor) so Flink serializes it without Kryo.
 */
public final class ServedOutcome {
  public String variant;
  public long version;
  public float score;
  public float label;

  public ServedOutcome() {}

  public ServedOutcome(String variant, long version, float score, float label) {
    this.variant = variant;
    this.version = version;
    this.score = score;
    this.label = label;
  }

  @Override
  public String toString() {
    return variant + " v" + version + ": " + score + " -> " + label;
  }
}

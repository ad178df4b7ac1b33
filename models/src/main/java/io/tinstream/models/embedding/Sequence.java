package io.tinstream.models.embedding;

/**
 * The change counter shared by all fields of one {@link IdRowMappings}: every admission and every
 * expiry takes the next number, so one number names the state of the whole holder and a delta
 * "since version v" is every row whose last change is above v.
 */
final class Sequence {
  private long value;

  Sequence(long start) {
    this.value = start;
  }

  long current() {
    return value;
  }

  long next() {
    return ++value;
  }

  void advanceTo(long v) {
    if (v < value) {
      throw new IllegalStateException("sequence would go back from " + value + " to " + v);
    }
    value = v;
  }
}

package io.tinstream.models.embedding;

/** Fixed 32-bit mixes of an id, the same on every JVM, so sketches and indices can be shipped. */
final class IdHash {
  private IdHash() {}

  /** MurmurHash3's finalizer. */
  static int mix(int id) {
    int h = id;
    h ^= h >>> 16;
    h *= 0x85EBCA6B;
    h ^= h >>> 13;
    h *= 0xC2B2AE35;
    h ^= h >>> 16;
    return h;
  }

  /** A second, independent mix for double hashing; always odd. */
  static int mix2(int id) {
    return mix(id ^ 0x9E3779B9) | 1;
  }
}

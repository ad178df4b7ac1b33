package io.tinstream.models.embedding;

import java.util.Arrays;

/**
 * Count-min sketch over int ids with conservative update: bounded memory ({@code width x depth}
 * one-byte counters), estimates never below the true count (up to {@link #MAX_COUNT}) and, with
 * conservative update, rarely much above it. Row {@code i} uses the double hash {@code h1 + i*h2}
 * (Kirsch-Mitzenmacher). Byte counters: admission thresholds are small, and the sketch must be
 * about as wide as the number of distinct ids between halvings to mean anything, so its size
 * matters.
 */
final class CountMinSketch {
  /** Counters saturate here; admission thresholds must not exceed it. */
  static final int MAX_COUNT = 255;

  private final int width;
  private final int depth;
  private final byte[] cells;

  CountMinSketch(int width, int depth) {
    this(width, depth, new byte[width * depth]);
  }

  private CountMinSketch(int width, int depth, byte[] cells) {
    this.width = width;
    this.depth = depth;
    this.cells = cells;
  }

  static CountMinSketch of(int width, int depth, byte[] cells) {
    if (cells.length != width * depth) {
      throw new IllegalArgumentException(
          "sketch has " + cells.length + " cells, expected " + width + " x " + depth);
    }
    return new CountMinSketch(width, depth, cells);
  }

  /** Counts one occurrence of {@code id} and returns its new estimate. */
  int add(int id) {
    int h1 = IdHash.mix(id);
    int h2 = IdHash.mix2(id);
    int min = MAX_COUNT;
    for (int i = 0; i < depth; i++) {
      min = Math.min(min, cells[cell(i, h1, h2)] & 0xFF);
    }
    // Saturate rather than wrap: a wrapped counter would un-admit the ids sharing it.
    int raised = Math.min(MAX_COUNT, min + 1);
    for (int i = 0; i < depth; i++) {
      int c = cell(i, h1, h2);
      if ((cells[c] & 0xFF) < raised) {
        cells[c] = (byte) raised;
      }
    }
    return raised;
  }

  int estimate(int id) {
    int h1 = IdHash.mix(id);
    int h2 = IdHash.mix2(id);
    int min = MAX_COUNT;
    for (int i = 0; i < depth; i++) {
      min = Math.min(min, cells[cell(i, h1, h2)] & 0xFF);
    }
    return min;
  }

  /** Ages every count: halving keeps the sketch from filling up on an endless stream. */
  void halve() {
    for (int i = 0; i < cells.length; i++) {
      cells[i] = (byte) ((cells[i] & 0xFF) >>> 1);
    }
  }

  private int cell(int i, int h1, int h2) {
    return i * width + Integer.remainderUnsigned(h1 + i * h2, width);
  }

  int width() {
    return width;
  }

  int depth() {
    return depth;
  }

  byte[] cells() {
    return cells;
  }

  long heapBytes() {
    return 16L + cells.length;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof CountMinSketch s
        && s.width == width
        && s.depth == depth
        && Arrays.equals(s.cells, cells);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(cells);
  }
}

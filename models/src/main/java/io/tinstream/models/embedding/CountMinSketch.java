package io.tinstream.models.embedding;

import java.util.Arrays;

/**
 * Count-min sketch over int ids with conservative update: bounded memory ({@code width x depth}
 * ints), estimates never below the true count and, with conservative update, rarely much above it.
 * Row {@code i} uses the double hash {@code h1 + i*h2} (Kirsch-Mitzenmacher).
 */
final class CountMinSketch {
  private final int width;
  private final int depth;
  private final int[] cells;

  CountMinSketch(int width, int depth) {
    this(width, depth, new int[width * depth]);
  }

  private CountMinSketch(int width, int depth, int[] cells) {
    this.width = width;
    this.depth = depth;
    this.cells = cells;
  }

  static CountMinSketch of(int width, int depth, int[] cells) {
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
    int min = Integer.MAX_VALUE;
    for (int i = 0; i < depth; i++) {
      min = Math.min(min, cells[cell(i, h1, h2)]);
    }
    // Saturate rather than wrap: a wrapped counter would un-admit a frequent id's successors.
    int raised = min == Integer.MAX_VALUE ? min : min + 1;
    for (int i = 0; i < depth; i++) {
      int c = cell(i, h1, h2);
      if (cells[c] < raised) {
        cells[c] = raised;
      }
    }
    return raised;
  }

  int estimate(int id) {
    int h1 = IdHash.mix(id);
    int h2 = IdHash.mix2(id);
    int min = Integer.MAX_VALUE;
    for (int i = 0; i < depth; i++) {
      min = Math.min(min, cells[cell(i, h1, h2)]);
    }
    return min;
  }

  /** Ages every count: halving keeps the sketch from filling up on an endless stream. */
  void halve() {
    for (int i = 0; i < cells.length; i++) {
      cells[i] >>>= 1;
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

  int[] cells() {
    return cells;
  }

  long heapBytes() {
    return 16L + 4L * cells.length;
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

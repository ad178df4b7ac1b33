package io.tinstream.state;

/** A level of the category tree: L1 is the top level, L3 the leaf. */
public enum CategoryLevel {
  L1,
  L2,
  L3
}

package io.tinstream.models;

/**
 * Per-target-category slots of TdPE, dPE and TD-SASRec heads (MODELS.md): the L1 category id {@code
 * c} in {@code [0, slots)} takes slot {@code c + 1}; unknown ids and categories beyond the
 * configured count share the default slot 0. Slot count of a table is therefore {@code slots + 1}.
 */
public final class CategorySlots {
  public static final int DEFAULT_SLOT = 0;

  private CategorySlots() {}

  public static int slot(int rawCategory, int slots) {
    return rawCategory >= 0 && rawCategory < slots ? rawCategory + 1 : DEFAULT_SLOT;
  }
}

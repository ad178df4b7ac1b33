package io.tinstream.streaming;

import io.tinstream.schemas.ItemFields;

/** The one category chain (L1 1 → L2 3 → L3 30) the job tests' taxonomy files give their items. */
final class TestItems {

  private TestItems() {}

  /** Item {@code id} of category 30, its product and SPU the same id. */
  static ItemFields item(long id) {
    return ItemFields.newBuilder()
        .setItemId(id)
        .setCategoryL1(1)
        .setCategoryL2(3)
        .setCategoryL3(30)
        .setProductId(id)
        .setSpuId(id)
        .build();
  }
}

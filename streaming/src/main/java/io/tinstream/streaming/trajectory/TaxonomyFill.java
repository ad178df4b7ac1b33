package io.tinstream.streaming.trajectory;

import io.tinstream.schemas.ItemFields;
import io.tinstream.schemas.TaxonomyKind;

/**
 * Completes an item's missing side info from the taxonomy: L2 from L3, L1 from L2, product from the
 * ad item, SPU from the product. Fields the producer set are never overwritten: the event is the
 * truth about what was shown.
 */
public final class TaxonomyFill {

  private TaxonomyFill() {}

  /** The item with what the taxonomy knows filled in; the same instance when nothing changed. */
  public static ItemFields fill(ItemFields item, TaxonomyLookup taxonomy) throws Exception {
    Integer l2 = item.getCategoryL2();
    Integer l1 = item.getCategoryL1();
    Long product = item.getProductId();
    Long spu = item.getSpuId();
    if (l2 == null && item.getCategoryL3() != null) {
      l2 = toInt(taxonomy.parent(TaxonomyKind.L3_PARENT, item.getCategoryL3()));
    }
    if (l1 == null && l2 != null) {
      l1 = toInt(taxonomy.parent(TaxonomyKind.L2_PARENT, l2));
    }
    if (product == null) {
      product = taxonomy.parent(TaxonomyKind.ITEM_PRODUCT, item.getItemId());
    }
    if (spu == null && product != null) {
      spu = taxonomy.parent(TaxonomyKind.PRODUCT_SPU, product);
    }
    boolean changed =
        l2 != item.getCategoryL2()
            || l1 != item.getCategoryL1()
            || product != item.getProductId()
            || spu != item.getSpuId();
    if (!changed) {
      return item;
    }
    // A field-by-field copy rather than a builder: builders validate and deep-copy every field,
    // which showed in the trajectory operator's profile.
    ItemFields filled = new ItemFields();
    for (int f = 0; f < ItemFields.SCHEMA$.getFields().size(); f++) {
      filled.put(f, item.get(f));
    }
    filled.setCategoryL2(l2);
    filled.setCategoryL1(l1);
    filled.setProductId(product);
    filled.setSpuId(spu);
    return filled;
  }

  /**
   * A category parent, or null (unknown) where no category field can hold it. Edges are checked
   * where they enter ({@link TaxonomyValidator}), but a checkpoint taken before they were may still
   * hold such an edge, and it must not fail every behavior that reaches it.
   */
  private static Integer toInt(Long value) {
    return value == null || value < 0 || value > Integer.MAX_VALUE ? null : value.intValue();
  }
}

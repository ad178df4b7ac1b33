package io.tinstream.training.data;

import io.tinstream.schemas.ItemFields;
import io.tinstream.schemas.TaxonomyEntry;
import io.tinstream.schemas.TaxonomyKind;
import java.util.ArrayList;
import java.util.List;

/**
 * The item universe of the synthetic feed: a fixed tree of categories (L1 ⊃ L2 ⊃ L3) and the ad →
 * product → SPU chain, all derived arithmetically from the item id so that the generator and the
 * taxonomy it publishes can never disagree.
 */
public final class SyntheticTaxonomy {

  public static final int L3_PER_L2 = 5;
  public static final int L2_PER_L1 = 4;
  public static final int ITEMS_PER_PRODUCT = 4;
  public static final int PRODUCTS_PER_SPU = 2;
  private static final long PRODUCT_BASE = 1_000_000L;
  private static final long SPU_BASE = 2_000_000L;

  private final int items;
  private final int categoriesL3;

  /**
   * @param items number of items (ids 0..items-1)
   * @param categoriesL3 number of leaf categories; must be a multiple of L3_PER_L2 * L2_PER_L1
   */
  public SyntheticTaxonomy(int items, int categoriesL3) {
    if (items <= 0) {
      throw new IllegalArgumentException("items must be > 0, got " + items);
    }
    if (categoriesL3 <= 0 || categoriesL3 % (L3_PER_L2 * L2_PER_L1) != 0) {
      throw new IllegalArgumentException(
          "categoriesL3 must be a positive multiple of " + (L3_PER_L2 * L2_PER_L1));
    }
    this.items = items;
    this.categoriesL3 = categoriesL3;
  }

  public int items() {
    return items;
  }

  public int categoriesL2() {
    return categoriesL3 / L3_PER_L2;
  }

  public int categoryL3(long item) {
    return (int) Math.floorMod(item, (long) categoriesL3);
  }

  public int categoryL2(long item) {
    return categoryL3(item) / L3_PER_L2;
  }

  public int categoryL1(long item) {
    return categoryL2(item) / L2_PER_L1;
  }

  public long productId(long item) {
    return PRODUCT_BASE + item / ITEMS_PER_PRODUCT;
  }

  public long spuId(long item) {
    return SPU_BASE + (productId(item) - PRODUCT_BASE) / PRODUCTS_PER_SPU;
  }

  /** An item drawn uniformly from one L2 category, given a uniform draw {@code r} in [0, 1). */
  public long itemInCategoryL2(int categoryL2, double r) {
    int perL2 = items / categoriesL3 * L3_PER_L2;
    int k = Math.min(perL2 - 1, (int) (r * perL2));
    // Items of L3 leaf c are c, c + categoriesL3, c + 2 * categoriesL3, ...
    int leaf = categoryL2 * L3_PER_L2 + k % L3_PER_L2;
    return leaf + (long) (k / L3_PER_L2) * categoriesL3;
  }

  /** Full side info of an item. */
  public ItemFields fullItem(long item) {
    return ItemFields.newBuilder()
        .setItemId(item)
        .setCreativeId(item * 31 + 7)
        .setProductId(productId(item))
        .setSpuId(spuId(item))
        .setCategoryL1(categoryL1(item))
        .setCategoryL2(categoryL2(item))
        .setCategoryL3(categoryL3(item))
        .setMarketingTarget((int) (item % 5))
        .setAdvertiserId(item % 300)
        .setIndustryId(categoryL1(item))
        .build();
  }

  /**
   * The item as a sparse producer sends it: only the leaf category, the rest left to the taxonomy.
   */
  public ItemFields sparseItem(long item) {
    return ItemFields.newBuilder()
        .setItemId(item)
        .setCreativeId(item * 31 + 7)
        .setCategoryL3(categoryL3(item))
        .build();
  }

  /** Every taxonomy edge, to publish on the taxonomy topic or write as a file. */
  public List<TaxonomyEntry> entries() {
    List<TaxonomyEntry> entries = new ArrayList<>();
    for (int l3 = 0; l3 < categoriesL3; l3++) {
      entries.add(new TaxonomyEntry(TaxonomyKind.L3_PARENT, (long) l3, (long) (l3 / L3_PER_L2)));
    }
    for (int l2 = 0; l2 < categoriesL2(); l2++) {
      entries.add(new TaxonomyEntry(TaxonomyKind.L2_PARENT, (long) l2, (long) (l2 / L2_PER_L1)));
    }
    for (long item = 0; item < items; item++) {
      entries.add(new TaxonomyEntry(TaxonomyKind.ITEM_PRODUCT, item, productId(item)));
    }
    for (long product = PRODUCT_BASE; product <= productId(items - 1); product++) {
      entries.add(
          new TaxonomyEntry(
              TaxonomyKind.PRODUCT_SPU, product, SPU_BASE + (product - PRODUCT_BASE) / 2));
    }
    return entries;
  }
}

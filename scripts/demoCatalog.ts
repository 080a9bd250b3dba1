/** One product of the demo catalog, shaped like the API's CreateProductInput. */
export interface DemoProduct {
  sku: string;
  name: string;
  description: string;
  /** Integer cents, like all money in the API. */
  price: number;
}

/** Every demo product starts with this many units, well above the runtime contract's 100. */
export const DEMO_INITIAL_STOCK = 150;
export const DEMO_CURRENCY = 'USD';

/** A small shop's catalog, enough to page through (the runtime contract asks for at least 20). */
export const DEMO_CATALOG: DemoProduct[] = [
  {
    sku: 'DEMO-0001',
    name: 'Ceramic Pour-Over Coffee Dripper',
    description: 'Hand-glazed ceramic dripper for one to two cups; fits size 02 filters.',
    price: 2800,
  },
  {
    sku: 'DEMO-0002',
    name: 'Stainless Steel Gooseneck Kettle',
    description: '1 litre stovetop kettle with a precise pouring spout and built-in thermometer.',
    price: 4900,
  },
  {
    sku: 'DEMO-0003',
    name: 'Burr Coffee Grinder',
    description: 'Conical steel burrs with 18 grind settings, from espresso to French press.',
    price: 8900,
  },
  {
    sku: 'DEMO-0004',
    name: 'Single-Origin Ethiopian Coffee Beans, 340 g',
    description: 'Washed Yirgacheffe, light roast, with notes of jasmine and bergamot.',
    price: 1850,
  },
  {
    sku: 'DEMO-0005',
    name: 'Double-Walled Glass Mug Set',
    description: 'Two 350 ml borosilicate mugs that keep drinks hot and hands cool.',
    price: 2400,
  },
  {
    sku: 'DEMO-0006',
    name: 'Loose Leaf Green Tea Sampler',
    description: 'Four 50 g tins: sencha, genmaicha, gyokuro and hojicha.',
    price: 3200,
  },
  {
    sku: 'DEMO-0007',
    name: 'Cast Iron Skillet, 26 cm',
    description: 'Pre-seasoned cast iron pan for searing, baking and campfire cooking.',
    price: 3900,
  },
  {
    sku: 'DEMO-0008',
    name: "Chef's Knife, 20 cm",
    description: 'Forged high-carbon stainless steel blade with a full-tang walnut handle.',
    price: 7900,
  },
  {
    sku: 'DEMO-0009',
    name: 'End-Grain Walnut Cutting Board',
    description: '40 x 30 cm butcher block, oiled and finished by hand.',
    price: 6500,
  },
  {
    sku: 'DEMO-0010',
    name: 'Linen Apron',
    description: 'Stonewashed linen apron with adjustable cross-back straps and two pockets.',
    price: 3400,
  },
  {
    sku: 'DEMO-0011',
    name: 'Merino Wool Crew Socks, 3 Pairs',
    description: 'Cushioned, breathable everyday socks; machine washable.',
    price: 2900,
  },
  {
    sku: 'DEMO-0012',
    name: 'Organic Cotton T-Shirt',
    description: 'Heavyweight 220 gsm tee in a relaxed fit, garment dyed.',
    price: 3200,
  },
  {
    sku: 'DEMO-0013',
    name: 'Waxed Canvas Backpack',
    description: '22 litre water-resistant daypack with a padded 15-inch laptop sleeve.',
    price: 12900,
  },
  {
    sku: 'DEMO-0014',
    name: 'Insulated Water Bottle, 750 ml',
    description: 'Vacuum-insulated steel: cold for 24 hours, hot for 12.',
    price: 3500,
  },
  {
    sku: 'DEMO-0015',
    name: 'Leather Card Wallet',
    description: 'Slim vegetable-tanned leather wallet with four card slots.',
    price: 4500,
  },
  {
    sku: 'DEMO-0016',
    name: 'Wireless Noise-Cancelling Headphones',
    description: 'Over-ear headphones with 30 hours of battery life and USB-C charging.',
    price: 19900,
  },
  {
    sku: 'DEMO-0017',
    name: 'Mechanical Keyboard',
    description: 'Tenkeyless layout, hot-swappable tactile switches, PBT keycaps.',
    price: 11900,
  },
  {
    sku: 'DEMO-0018',
    name: 'Ergonomic Wireless Mouse',
    description: 'Sculpted right-handed mouse with a silent scroll wheel and 70-day battery.',
    price: 5900,
  },
  {
    sku: 'DEMO-0019',
    name: 'USB-C Charging Hub, 100 W',
    description: 'Four-port GaN charger that powers a laptop, tablet and two phones at once.',
    price: 6900,
  },
  {
    sku: 'DEMO-0020',
    name: 'LED Desk Lamp',
    description: 'Dimmable lamp with adjustable colour temperature and a weighted base.',
    price: 5400,
  },
  {
    sku: 'DEMO-0021',
    name: 'Dot-Grid Notebook, A5',
    description: '192 pages of 100 gsm fountain-pen-friendly paper, lay-flat binding.',
    price: 1600,
  },
  {
    sku: 'DEMO-0022',
    name: 'Fountain Pen, Fine Nib',
    description: 'Lacquered brass body with a steel nib and a refillable converter.',
    price: 4200,
  },
  {
    sku: 'DEMO-0023',
    name: 'Yoga Mat, 6 mm',
    description: 'Non-slip natural rubber mat with alignment lines and a carry strap.',
    price: 6800,
  },
  {
    sku: 'DEMO-0024',
    name: 'Soy Wax Candle, Cedar & Sage',
    description: 'Hand-poured candle in a reusable amber jar; burns for about 50 hours.',
    price: 2600,
  },
];

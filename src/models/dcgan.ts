/**
 * DCGAN (Radford et al. 2015) with the structure, parameter names (`main.N`) and `weights_init` of
 * PyTorch's DCGAN tutorial (pytorch.org/tutorials/beginner/dcgan_faces_tutorial.html).
 */
import { check, fmtShape } from "../core/errors.js";
import type { Tensor } from "../engine/tensor.js";
import { reshape } from "../ops/movement.js";
import { LeakyReLU, ReLU, Sigmoid, Tanh } from "../nn/layers/activation.js";
import { Sequential } from "../nn/layers/container.js";
import { Conv2d, ConvTranspose2d } from "../nn/layers/conv.js";
import { BatchNorm2d } from "../nn/layers/normalization.js";
import { Module } from "../nn/module.js";
import { checkOptions, initDcgan, wholeOption } from "./common.js";

/** Options of `dcgan`. */
export interface DcganOptions {
  /** Length of the latent vector z (default 100). */
  nz?: number;
  /** Generator feature maps at the last layer (default 64). */
  ngf?: number;
  /** Discriminator feature maps at the first layer (default 64). */
  ndf?: number;
  /** Image channels (default 3). */
  nc?: number;
  /**
   * Image side, a power of two ≥ 16 (default 64, the tutorial's network). Each doubling adds one
   * stride-2 block to both networks.
   */
  imageSize?: number;
}

interface Sizes {
  nz: number;
  ngf: number;
  ndf: number;
  nc: number;
  imageSize: number;
  /** Stride-2 blocks between the 4×4 map and the image: log2(imageSize) − 2 (4 at 64×64). */
  blocks: number;
}

function sizes(options: DcganOptions): Sizes {
  checkOptions("dcgan", options);
  const imageSize = wholeOption("dcgan", "imageSize", options.imageSize, 64, 16);
  const blocks = Math.log2(imageSize) - 2;
  check(Number.isInteger(blocks), "dcgan", () => `imageSize must be a power of two ≥ 16 (64 in the tutorial), got ${imageSize}`);
  return {
    nz: wholeOption("dcgan", "nz", options.nz, 100),
    ngf: wholeOption("dcgan", "ngf", options.ngf, 64),
    ndf: wholeOption("dcgan", "ndf", options.ndf, 64),
    nc: wholeOption("dcgan", "nc", options.nc, 3),
    imageSize,
    blocks,
  };
}

/**
 * Maps latent vectors [N, nz] (or [N, nz, 1, 1]) to images [N, nc, imageSize, imageSize] in [-1, 1].
 * At 64×64, `main` is the tutorial's: ConvTranspose2d(nz, ngf·8, 4, 1, 0) + BN + ReLU, three
 * ConvTranspose2d(4, 2, 1) + BN + ReLU blocks halving the channels, ConvTranspose2d(ngf, nc, 4, 2, 1)
 * + Tanh; no convolution has a bias.
 */
export class DcganGenerator extends Module {
  readonly nz: number;
  declare main: Sequential;

  constructor(options: DcganOptions = {}) {
    super();
    const { nz, ngf, nc, blocks } = sizes(options);
    this.nz = nz;
    let channels = ngf * 2 ** (blocks - 1);
    const layers: Module[] = [new ConvTranspose2d(nz, channels, 4, { stride: 1, padding: 0, bias: false }), new BatchNorm2d(channels), new ReLU()];
    for (let i = 1; i < blocks; i++) {
      layers.push(new ConvTranspose2d(channels, channels / 2, 4, { stride: 2, padding: 1, bias: false }), new BatchNorm2d(channels / 2), new ReLU());
      channels /= 2;
    }
    layers.push(new ConvTranspose2d(channels, nc, 4, { stride: 2, padding: 1, bias: false }), new Tanh());
    this.main = new Sequential(...layers);
    initDcgan(this);
  }

  forward(z: Tensor): Tensor {
    const n = z.shape[0];
    check((z.ndim === 2 && z.shape[1] === this.nz) || (z.ndim === 4 && z.shape[1] === this.nz && z.shape[2] === 1 && z.shape[3] === 1), "DcganGenerator",
      () => `z has shape ${fmtShape(z.shape)}; expected [N, ${this.nz}] or [N, ${this.nz}, 1, 1]`);
    return this.main.call(z.ndim === 2 ? reshape(z, [n, this.nz, 1, 1]) : z);
  }
}

/**
 * Scores images [N, nc, imageSize, imageSize] with the probability [N] that each is real. At 64×64,
 * `main` is the tutorial's: Conv2d(nc, ndf, 4, 2, 1) + LeakyReLU(0.2), three Conv2d(4, 2, 1) + BN +
 * LeakyReLU(0.2) blocks doubling the channels, Conv2d(ndf·8, 1, 4, 1, 0) + Sigmoid; no biases. The
 * [N, 1, 1, 1] output is flattened to [N], as the tutorial's training loop does with `.view(-1)`.
 */
export class DcganDiscriminator extends Module {
  readonly imageSize: number;
  readonly nc: number;
  declare main: Sequential;

  constructor(options: DcganOptions = {}) {
    super();
    const { ndf, nc, imageSize, blocks } = sizes(options);
    this.imageSize = imageSize;
    this.nc = nc;
    let channels = ndf;
    const layers: Module[] = [new Conv2d(nc, channels, 4, { stride: 2, padding: 1, bias: false }), new LeakyReLU(0.2)];
    for (let i = 1; i < blocks; i++) {
      layers.push(new Conv2d(channels, channels * 2, 4, { stride: 2, padding: 1, bias: false }), new BatchNorm2d(channels * 2), new LeakyReLU(0.2));
      channels *= 2;
    }
    layers.push(new Conv2d(channels, 1, 4, { stride: 1, padding: 0, bias: false }), new Sigmoid());
    this.main = new Sequential(...layers);
    initDcgan(this);
  }

  forward(x: Tensor): Tensor {
    const s = this.imageSize;
    check(x.ndim === 4 && x.shape[1] === this.nc && x.shape[2] === s && x.shape[3] === s, "DcganDiscriminator",
      () => `images have shape ${fmtShape(x.shape)}; expected [N, ${this.nc}, ${s}, ${s}]`);
    return reshape(this.main.call(x), [x.shape[0]]);
  }
}

/**
 * The DCGAN tutorial's generator and discriminator, initialized by its `weights_init`
 * (convolutions N(0, 0.02²), batch norm weights N(1, 0.02²) and biases 0).
 * @example
 * const { generator, discriminator } = tl.models.dcgan({ nz: 100 });
 * const fake = generator.call(tl.randn([8, 100])); // [8, 3, 64, 64]
 * discriminator.call(fake).shape // [8]
 */
export function dcgan(options: DcganOptions = {}): { generator: DcganGenerator; discriminator: DcganDiscriminator } {
  return { generator: new DcganGenerator(options), discriminator: new DcganDiscriminator(options) };
}

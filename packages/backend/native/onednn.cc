// oneDNN kernels for the tfjs wasm engine (issue 14).
//
// tfjs-backend-wasm keeps every tensor in one WebAssembly.Memory. JavaScript hands this addon a
// Uint8Array over that memory plus byte offsets; the addon runs oneDNN primitives on those bytes in
// place (NHWC activations, HWIO filters, exactly tfjs's layouts) and returns nothing. No tensor is
// copied between the wasm heap and native memory.
//
// Primitives are cached by shape. A filter that oneDNN wants in a blocked layout is reordered once
// per filter tensor (tfjs tensors are immutable and the wasm engine never reuses a tensor id), so a
// training step reorders each filter at most once per direction.
//
// Written against oneDNN 2.6's public C++ API (dnnl.hpp) and Node-API (node_api.h, version 6).
#include <node_api.h>

#include <dnnl.hpp>
#include <omp.h>

#include <cstdint>
#include <algorithm>
#include <cmath>
#include <cstring>
#include <list>
#include <memory>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace {

using dnnl::algorithm;
using dnnl::memory;
using dims = memory::dims;
using tag = memory::format_tag;
using dt = memory::data_type;

dnnl::engine &cpuEngine() {
  static dnnl::engine e(dnnl::engine::kind::cpu, 0);
  return e;
}
dnnl::stream &cpuStream() {
  static dnnl::stream s(cpuEngine());
  return s;
}

// ---------------------------------------------------------------- N-API helpers

struct JsError {
  std::string message;
};

void check(napi_env env, napi_status status, const char *what) {
  if (status != napi_ok) throw JsError{std::string("onednn addon: ") + what + " failed"};
}

// The bytes of a typed array argument (a view over the wasm heap, or a plain parameter block).
struct Bytes {
  uint8_t *data = nullptr;
  size_t length = 0;
};

Bytes typedArrayBytes(napi_env env, napi_value value, const char *name) {
  bool isTyped = false;
  check(env, napi_is_typedarray(env, value, &isTyped), "napi_is_typedarray");
  if (!isTyped) throw JsError{std::string("onednn addon: argument '") + name + "' must be a typed array"};
  napi_typedarray_type type;
  size_t length = 0;
  void *data = nullptr;
  napi_value buffer;
  size_t byteOffset = 0;
  check(env, napi_get_typedarray_info(env, value, &type, &length, &data, &buffer, &byteOffset), "napi_get_typedarray_info");
  size_t elementSize = 1;
  switch (type) {
    case napi_float64_array: elementSize = 8; break;
    case napi_float32_array:
    case napi_int32_array:
    case napi_uint32_array: elementSize = 4; break;
    default: elementSize = 1;
  }
  return Bytes{static_cast<uint8_t *>(data), length * elementSize};
}

// Reads the Float64Array parameter block: offsets and sizes as exact integers.
struct Params {
  const double *v;
  size_t n;
  int64_t at(size_t i) const {
    if (i >= n) throw JsError{"onednn addon: parameter block too short"};
    return static_cast<int64_t>(v[i]);
  }
  float f(size_t i) const {
    if (i >= n) throw JsError{"onednn addon: parameter block too short"};
    return static_cast<float>(v[i]);
  }
};

Params readParams(napi_env env, napi_value value) {
  Bytes b = typedArrayBytes(env, value, "params");
  return Params{reinterpret_cast<const double *>(b.data), b.length / 8};
}

// A checked pointer into the heap: offset + bytes must lie inside it.
float *heapFloats(const Bytes &heap, int64_t offset, int64_t count, const char *what) {
  if (offset < 0 || count < 0 || static_cast<uint64_t>(offset) + static_cast<uint64_t>(count) * 4 > heap.length) {
    throw JsError{std::string("onednn addon: ") + what + " lies outside the wasm heap"};
  }
  return reinterpret_cast<float *>(heap.data + offset);
}

// ---------------------------------------------------------------- post-ops

// Activation codes shared with the TypeScript side (onednn-kernels.ts).
enum Activation { kLinear = 0, kRelu = 1, kRelu6 = 2, kElu = 3, kSigmoid = 4, kLeakyRelu = 5 };

dnnl::primitive_attr activationAttr(int64_t activation, float alpha) {
  dnnl::primitive_attr attr;
  if (activation == kLinear) return attr;
  dnnl::post_ops ops;
  switch (activation) {
    case kRelu: ops.append_eltwise(1.f, algorithm::eltwise_relu, 0.f, 0.f); break;
    case kRelu6: ops.append_eltwise(1.f, algorithm::eltwise_clip, 0.f, 6.f); break;
    case kElu: ops.append_eltwise(1.f, algorithm::eltwise_elu, 1.f, 0.f); break;
    case kSigmoid: ops.append_eltwise(1.f, algorithm::eltwise_logistic, 0.f, 0.f); break;
    case kLeakyRelu: ops.append_eltwise(1.f, algorithm::eltwise_relu, alpha, 0.f); break;
    default: throw JsError{"onednn addon: unknown activation code " + std::to_string(activation)};
  }
  attr.set_post_ops(ops);
  return attr;
}

// ---------------------------------------------------------------- reordered filters

// Filters in oneDNN's preferred layout, keyed by (tfjs tensor id, layout): an LRU bounded in bytes.
// Training makes new filter tensors every step, so old entries simply age out; inference (the same
// weights over many batches) reorders each filter once.
class FilterCache {
 public:
  explicit FilterCache(size_t capacityBytes) : capacity_(capacityBytes) {}

  memory get(int64_t tensorId, const memory &user, const memory::desc &wanted) {
    if (user.get_desc() == wanted) return user;
    for (auto it = entries_.begin(); it != entries_.end(); ++it) {
      if (it->id == tensorId && it->mem.get_desc() == wanted) {
        entries_.splice(entries_.begin(), entries_, it);
        return it->mem;
      }
    }
    memory converted(wanted, cpuEngine());
    dnnl::reorder(user, converted).execute(cpuStream(), const_cast<memory &>(user), converted);
    reorders_++;
    const size_t size = wanted.get_size();
    if (tensorId >= 0 && size <= capacity_) {
      entries_.push_front(Entry{tensorId, converted, size});
      bytes_ += size;
      while (bytes_ > capacity_) {
        bytes_ -= entries_.back().bytes;
        entries_.pop_back();
      }
    }
    return converted;
  }
  void clear() {
    entries_.clear();
    bytes_ = 0;
  }
  size_t size() const { return entries_.size(); }
  size_t bytes() const { return bytes_; }
  uint64_t reorders() const { return reorders_; }
  void setCapacity(size_t capacityBytes) {
    capacity_ = capacityBytes;
    while (bytes_ > capacity_) {
      bytes_ -= entries_.back().bytes;
      entries_.pop_back();
    }
  }
  size_t capacity() const { return capacity_; }

 private:
  struct Entry {
    int64_t id;
    memory mem;
    size_t bytes;
  };
  size_t capacity_;
  size_t bytes_ = 0;
  std::list<Entry> entries_;
  uint64_t reorders_ = 0;
};

FilterCache &filterCache() {
  static FilterCache cache(size_t{128} << 20);  // 128 MiB: a ResNet-18's filters in one direction, with room
  return cache;
}

// ---------------------------------------------------------------- convolution

// Parameter block of conv(): see onednn-kernels.ts (CONV_PARAMS) for the same order.
struct ConvGeometry {
  int64_t n, h, w, c, kh, kw, o, oh, ow, sh, sw, dh, dw, pt, pl, pb, pr;
  std::string key() const {
    std::string k;
    for (int64_t v : {n, h, w, c, kh, kw, o, oh, ow, sh, sw, dh, dw, pt, pl, pb, pr}) k += std::to_string(v) + ",";
    return k;
  }
  memory::desc src() const { return memory::desc({n, c, h, w}, dt::f32, tag::nhwc); }
  memory::desc dst() const { return memory::desc({n, o, oh, ow}, dt::f32, tag::nhwc); }
  memory::desc weightsUser() const { return memory::desc({o, c, kh, kw}, dt::f32, tag::hwio); }
  memory::desc weightsAny() const { return memory::desc({o, c, kh, kw}, dt::f32, tag::any); }
  memory::desc bias() const { return memory::desc({o}, dt::f32, tag::x); }
  dims strides() const { return {sh, sw}; }
  dims dilates() const { return {dh - 1, dw - 1}; }  // tfjs counts 1 as "no dilation", oneDNN 0
  dims padL() const { return {pt, pl}; }
  dims padR() const { return {pb, pr}; }
};

dnnl::convolution_forward::primitive_desc forwardPd(const ConvGeometry &g, bool withBias, const dnnl::primitive_attr &attr) {
  auto desc = withBias ? dnnl::convolution_forward::desc(dnnl::prop_kind::forward_training, algorithm::convolution_direct, g.src(),
                                                         g.weightsAny(), g.bias(), g.dst(), g.strides(), g.dilates(), g.padL(), g.padR())
                       : dnnl::convolution_forward::desc(dnnl::prop_kind::forward_training, algorithm::convolution_direct, g.src(),
                                                         g.weightsAny(), g.dst(), g.strides(), g.dilates(), g.padL(), g.padR());
  return dnnl::convolution_forward::primitive_desc(desc, attr, cpuEngine());
}

struct ConvForward {
  dnnl::convolution_forward::primitive_desc pd;
  dnnl::convolution_forward prim;
};
struct ConvBackwardData {
  dnnl::convolution_backward_data::primitive_desc pd;
  dnnl::convolution_backward_data prim;
};
struct ConvBackwardWeights {
  dnnl::convolution_backward_weights::primitive_desc pd;
  dnnl::convolution_backward_weights prim;
  memory scratchWeights;  // when oneDNN's diff_weights layout is not HWIO
  std::unique_ptr<dnnl::reorder> toUser;
};

std::unordered_map<std::string, std::unique_ptr<ConvForward>> forwardCache;
std::unordered_map<std::string, std::unique_ptr<ConvBackwardData>> backwardDataCache;
std::unordered_map<std::string, std::unique_ptr<ConvBackwardWeights>> backwardWeightsCache;
std::unordered_map<std::string, std::string> implementations;  // cache key -> oneDNN implementation name
uint64_t primitivesCreated = 0;

// The input pixels a 1x1 convolution reads, gathered into [n, oh, ow, c] (zeros where a tap falls in
// the padding): the input of the same convolution with stride 1 and no padding.
//
// Why: for a strided (or padded) 1x1 backward-weights convolution oneDNN 2.6.3 picks jit_1x1 with
// its "reduce to unit stride" (rtus) driver, which copies the strided input into a scratchpad
// buffer. With fewer input channels than the ISA's channel block (ic 4 or 8 on avx512_core, block
// 16; ic 4 on avx2, block 8) that path corrupts the native heap (SIGSEGV, "munmap_chunk(): invalid
// pointer" or a hang, at once or later; on avx2 also a wrong filter gradient): the ResNet-18
// x0.125 ImageNet-stem downsample shortcut, 56x56x8 -> 28x28x16 at 224 px. The same problem at
// stride 1 is correct. Doing the gather here hands oneDNN a stride-1 unpadded 1x1 problem, which
// has no rtus step.
void gatherUnitStride(const ConvGeometry &g, const float *x, float *out) {
  const int64_t rows = g.n * g.oh;
#pragma omp parallel for schedule(static)
  for (int64_t r = 0; r < rows; r++) {
    const int64_t b = r / g.oh, i = r % g.oh;
    const int64_t hi = i * g.sh - g.pt;
    float *dst = out + r * g.ow * g.c;
    for (int64_t j = 0; j < g.ow; j++, dst += g.c) {
      const int64_t wi = j * g.sw - g.pl;
      if (hi < 0 || hi >= g.h || wi < 0 || wi >= g.w) {
        std::fill(dst, dst + g.c, 0.f);
      } else {
        std::memcpy(dst, x + ((b * g.h + hi) * g.w + wi) * g.c, static_cast<size_t>(g.c) * sizeof(float));
      }
    }
  }
}

// mode 0: forward y = act(conv(x, w) + b); 1: dx = conv_backward_data(dy, w); 2: dw = conv_backward_weights(x, dy).
// params: [mode, xOff, wOff, wId, bOff(-1), yOff, n,h,w,c, kh,kw,o, oh,ow, sh,sw, dh,dw, pt,pl,pb,pr, activation, alpha]
void conv(const Bytes &heap, const Params &p) {
  const int64_t mode = p.at(0);
  const int64_t xOff = p.at(1), wOff = p.at(2), wId = p.at(3), bOff = p.at(4), yOff = p.at(5);
  ConvGeometry g{p.at(6), p.at(7), p.at(8), p.at(9), p.at(10), p.at(11), p.at(12), p.at(13), p.at(14),
                 p.at(15), p.at(16), p.at(17), p.at(18), p.at(19), p.at(20), p.at(21), p.at(22)};
  const int64_t activation = p.at(23);
  const float alpha = p.f(24);
  float *x = heapFloats(heap, xOff, g.n * g.h * g.w * g.c, mode == 1 ? "dx" : "x");
  float *w = heapFloats(heap, wOff, g.kh * g.kw * g.c * g.o, mode == 2 ? "dw" : "filter");
  float *y = heapFloats(heap, yOff, g.n * g.oh * g.ow * g.o, mode == 0 ? "y" : "dy");
  // A strided or padded 1x1 backward-weights convolution runs as the stride-1 one over the gathered
  // input (see gatherUnitStride): same result, and no oneDNN rtus copy.
  std::vector<float> gathered;
  if (mode == 2 && g.kh == 1 && g.kw == 1 && (g.sh != 1 || g.sw != 1 || g.pt != 0 || g.pl != 0 || g.pb != 0 || g.pr != 0)) {
    gathered.resize(static_cast<size_t>(g.n * g.oh * g.ow * g.c));
    gatherUnitStride(g, x, gathered.data());
    g = ConvGeometry{g.n, g.oh, g.ow, g.c, 1, 1, g.o, g.oh, g.ow, 1, 1, 1, 1, 0, 0, 0, 0};
    x = gathered.data();
  }
  auto &stream = cpuStream();
  const std::string key = std::to_string(mode) + ":" + g.key() + std::to_string(activation) + ":" + std::to_string(alpha) + ":" +
                          std::to_string(bOff >= 0);
  if (mode == 0) {
    auto it = forwardCache.find(key);
    if (it == forwardCache.end()) {
      auto pd = forwardPd(g, bOff >= 0, activationAttr(activation, alpha));
      implementations[key] = pd.impl_info_str();
      it = forwardCache.emplace(key, std::make_unique<ConvForward>(ConvForward{pd, dnnl::convolution_forward(pd)})).first;
      primitivesCreated++;
    }
    ConvForward &f = *it->second;
    memory src(g.src(), cpuEngine(), x), dst(g.dst(), cpuEngine(), y), user(g.weightsUser(), cpuEngine(), w);
    memory weights = filterCache().get(wId, user, f.pd.weights_desc());
    std::unordered_map<int, memory> args{{DNNL_ARG_SRC, src}, {DNNL_ARG_WEIGHTS, weights}, {DNNL_ARG_DST, dst}};
    if (bOff >= 0) args.emplace(DNNL_ARG_BIAS, memory(g.bias(), cpuEngine(), heapFloats(heap, bOff, g.o, "bias")));
    f.prim.execute(stream, args);
  } else if (mode == 1) {
    auto it = backwardDataCache.find(key);
    if (it == backwardDataCache.end()) {
      auto hint = forwardPd(g, false, dnnl::primitive_attr());
      dnnl::convolution_backward_data::desc desc(algorithm::convolution_direct, g.src(), g.weightsAny(), g.dst(), g.strides(), g.dilates(),
                                                g.padL(), g.padR());
      dnnl::convolution_backward_data::primitive_desc pd(desc, cpuEngine(), hint);
      implementations[key] = pd.impl_info_str();
      it = backwardDataCache.emplace(key, std::make_unique<ConvBackwardData>(ConvBackwardData{pd, dnnl::convolution_backward_data(pd)}))
               .first;
      primitivesCreated++;
    }
    ConvBackwardData &b = *it->second;
    memory diffSrc(g.src(), cpuEngine(), x), diffDst(g.dst(), cpuEngine(), y), user(g.weightsUser(), cpuEngine(), w);
    memory weights = filterCache().get(wId, user, b.pd.weights_desc());
    b.prim.execute(stream, {{DNNL_ARG_DIFF_SRC, diffSrc}, {DNNL_ARG_WEIGHTS, weights}, {DNNL_ARG_DIFF_DST, diffDst}});
  } else if (mode == 2) {
    auto it = backwardWeightsCache.find(key);
    if (it == backwardWeightsCache.end()) {
      auto hint = forwardPd(g, false, dnnl::primitive_attr());
      dnnl::convolution_backward_weights::desc desc(algorithm::convolution_direct, g.src(), g.weightsAny(), g.dst(), g.strides(),
                                                   g.dilates(), g.padL(), g.padR());
      dnnl::convolution_backward_weights::primitive_desc pd(desc, cpuEngine(), hint);
      implementations[key] = pd.impl_info_str();
      auto entry = std::make_unique<ConvBackwardWeights>(ConvBackwardWeights{pd, dnnl::convolution_backward_weights(pd), memory(), nullptr});
      if (pd.diff_weights_desc() != g.weightsUser()) {
        entry->scratchWeights = memory(pd.diff_weights_desc(), cpuEngine());
        entry->toUser = std::make_unique<dnnl::reorder>(dnnl::reorder::primitive_desc(cpuEngine(), pd.diff_weights_desc(), cpuEngine(),
                                                                                     g.weightsUser()));
      }
      it = backwardWeightsCache.emplace(key, std::move(entry)).first;
      primitivesCreated++;
    }
    ConvBackwardWeights &b = *it->second;
    memory src(g.src(), cpuEngine(), x), diffDst(g.dst(), cpuEngine(), y), user(g.weightsUser(), cpuEngine(), w);
    memory diffWeights = b.toUser ? b.scratchWeights : user;
    b.prim.execute(stream, {{DNNL_ARG_SRC, src}, {DNNL_ARG_DIFF_WEIGHTS, diffWeights}, {DNNL_ARG_DIFF_DST, diffDst}});
    if (b.toUser) b.toUser->execute(stream, b.scratchWeights, user);
  } else {
    throw JsError{"onednn addon: conv mode must be 0, 1 or 2, received " + std::to_string(mode)};
  }
  stream.wait();
}

// ---------------------------------------------------------------- matmul

struct MatMul {
  dnnl::matmul::primitive_desc pd;
  dnnl::matmul prim;
};
std::unordered_map<std::string, std::unique_ptr<MatMul>> matmulCache;

// c[batch, m, n] = act(op(a) op(b) + bias), row-major; a batch of 1 broadcasts.
// params: [aOff, bOff, biasOff(-1), cOff, batchA, batchB, m, k, n, transA, transB, activation, alpha]
void matmul(const Bytes &heap, const Params &p) {
  const int64_t aOff = p.at(0), bOff = p.at(1), biasOff = p.at(2), cOff = p.at(3);
  const int64_t batchA = p.at(4), batchB = p.at(5), m = p.at(6), k = p.at(7), n = p.at(8);
  const bool transA = p.at(9) != 0, transB = p.at(10) != 0;
  const int64_t activation = p.at(11);
  const float alpha = p.f(12);
  const int64_t batch = batchA > batchB ? batchA : batchB;
  // Transposed operands as strides over the row-major buffers tfjs holds.
  memory::desc aMd({batchA, m, k}, dt::f32, transA ? dims{m * k, 1, m} : dims{m * k, k, 1});
  memory::desc bMd({batchB, k, n}, dt::f32, transB ? dims{k * n, 1, k} : dims{k * n, n, 1});
  memory::desc cMd({batch, m, n}, dt::f32, dims{m * n, n, 1});
  memory::desc biasMd({1, 1, n}, dt::f32, dims{n, n, 1});
  std::string key;
  for (int64_t v : {batchA, batchB, m, k, n, static_cast<int64_t>(transA), static_cast<int64_t>(transB), activation, biasOff >= 0 ? 1L : 0L})
    key += std::to_string(v) + ",";
  key += std::to_string(alpha);
  auto it = matmulCache.find(key);
  if (it == matmulCache.end()) {
    auto desc = biasOff >= 0 ? dnnl::matmul::desc(aMd, bMd, biasMd, cMd) : dnnl::matmul::desc(aMd, bMd, cMd);
    dnnl::matmul::primitive_desc pd(desc, activationAttr(activation, alpha), cpuEngine());
    implementations["mm:" + key] = pd.impl_info_str();
    it = matmulCache.emplace(key, std::make_unique<MatMul>(MatMul{pd, dnnl::matmul(pd)})).first;
    primitivesCreated++;
  }
  memory a(aMd, cpuEngine(), heapFloats(heap, aOff, batchA * m * k, "a"));
  memory b(bMd, cpuEngine(), heapFloats(heap, bOff, batchB * k * n, "b"));
  memory c(cMd, cpuEngine(), heapFloats(heap, cOff, batch * m * n, "c"));
  std::unordered_map<int, memory> args{{DNNL_ARG_SRC, a}, {DNNL_ARG_WEIGHTS, b}, {DNNL_ARG_DST, c}};
  if (biasOff >= 0) args.emplace(DNNL_ARG_BIAS, memory(biasMd, cpuEngine(), heapFloats(heap, biasOff, n, "bias")));
  it->second->prim.execute(cpuStream(), args);
  cpuStream().wait();
}

// ---------------------------------------------------------------- per-channel loops

// The two building blocks of training-mode BatchNorm as @contrastive/encoders runs it, as plain
// OpenMP loops (memory-bound; compiled for the machine the addon is built on):
//  - channelAffine: y[r, c] = act(x[r, c] * scale[c] + bias[c]) over rows r (tfjs: a 1x1
//    FusedDepthwiseConv2D with channel multiplier 1);
//  - channelMean: y[n, c] = mean over the h*w positions of x[n, :, :, c] (tfjs: an AvgPool whose
//    window is the whole image).

// params: [xOff, scaleOff, biasOff(-1), yOff, rows, channels, activation, alpha]
void channelAffine(const Bytes &heap, const Params &p) {
  const int64_t rows = p.at(4), channels = p.at(5), activation = p.at(6);
  const float alpha = p.f(7);
  const float *x = heapFloats(heap, p.at(0), rows * channels, "x");
  const float *scale = heapFloats(heap, p.at(1), channels, "scale");
  const float *bias = p.at(2) >= 0 ? heapFloats(heap, p.at(2), channels, "bias") : nullptr;
  float *y = heapFloats(heap, p.at(3), rows * channels, "y");
  if (activation != kLinear && activation != kRelu && activation != kLeakyRelu) throw JsError{"onednn addon: channelAffine supports linear, relu, leakyrelu"};
  std::vector<float> zero(bias == nullptr ? static_cast<size_t>(channels) : 0, 0.f);
  const float *b = bias != nullptr ? bias : zero.data();
  const float negativeSlope = activation == kRelu ? 0.f : alpha;
  const bool linear = activation == kLinear;
#pragma omp parallel for schedule(static)
  for (int64_t r = 0; r < rows; r++) {
    const float *xr = x + r * channels;
    float *yr = y + r * channels;
    if (linear) {
#pragma omp simd
      for (int64_t c = 0; c < channels; c++) yr[c] = xr[c] * scale[c] + b[c];
    } else {
#pragma omp simd
      for (int64_t c = 0; c < channels; c++) {
        const float v = xr[c] * scale[c] + b[c];
        yr[c] = v > 0.f ? v : v * negativeSlope;
      }
    }
  }
}

// params: [xOff, yOff, n, positions, channels]
void channelMean(const Bytes &heap, const Params &p) {
  const int64_t n = p.at(2), positions = p.at(3), channels = p.at(4);
  const float *x = heapFloats(heap, p.at(0), n * positions * channels, "x");
  float *y = heapFloats(heap, p.at(1), n * channels, "y");
  const float inv = 1.f / static_cast<float>(positions);
#pragma omp parallel
  {
    std::vector<float> acc(static_cast<size_t>(channels));
#pragma omp for schedule(static)
    for (int64_t i = 0; i < n; i++) {
      std::fill(acc.begin(), acc.end(), 0.f);
      const float *xi = x + i * positions * channels;
      for (int64_t q = 0; q < positions; q++) {
        const float *row = xi + q * channels;
#pragma omp simd
        for (int64_t c = 0; c < channels; c++) acc[c] += row[c];
      }
      for (int64_t c = 0; c < channels; c++) y[i * channels + c] = acc[c] * inv;
    }
  }
}

// ---------------------------------------------------------------- training BatchNorm

// Training-mode BatchNorm (Ioffe & Szegedy 2015, Algorithm 1) over the last axis of x [rows, C],
// with an optional fused ReLU, in two passes forward and two backward; statistics summed in float
// over blocks of 64 rows and in double across blocks.
//  forward:  mean, variance (biased) over rows; y = act((x - mean) / sqrt(variance + eps) * gamma + beta)
//  backward: g = dy * (y > 0) with ReLU, else dy; dbeta = sum g; dgamma = sum g * xhat;
//            dx = gamma / sqrt(variance + eps) * (g - xhat * dgamma / M - dbeta / M)

struct ChannelSums {
  std::vector<double> a, b;
};

// Per-channel sums over rows of two quantities that f(row, a, b) adds into float accumulators.
// Each thread sums its static share of rows in blocks of 64 rows in float (vectorised), adding each
// block into double; the per-thread results (separate allocations: no false sharing) are added in
// thread order, so the result does not depend on timing (same thread count, same bits).
template <typename F>
ChannelSums reduceRows(int64_t rows, int64_t channels, F &&f) {
  const int threads = omp_get_max_threads();
  std::vector<std::vector<double>> partA(static_cast<size_t>(threads)), partB(static_cast<size_t>(threads));
#pragma omp parallel
  {
    const int t = omp_get_thread_num();
    std::vector<double> a(static_cast<size_t>(channels), 0.0), b(static_cast<size_t>(channels), 0.0);
    std::vector<float> blockA(static_cast<size_t>(channels), 0.f), blockB(static_cast<size_t>(channels), 0.f);
    int64_t inBlock = 0;
#pragma omp for schedule(static)
    for (int64_t r = 0; r < rows; r++) {
      f(r, blockA.data(), blockB.data());
      if (++inBlock == 64) {
        for (int64_t c = 0; c < channels; c++) {
          a[c] += blockA[c];
          b[c] += blockB[c];
          blockA[c] = 0.f;
          blockB[c] = 0.f;
        }
        inBlock = 0;
      }
    }
    for (int64_t c = 0; c < channels; c++) {
      a[c] += blockA[c];
      b[c] += blockB[c];
    }
    partA[static_cast<size_t>(t)] = std::move(a);
    partB[static_cast<size_t>(t)] = std::move(b);
  }
  ChannelSums out{std::vector<double>(static_cast<size_t>(channels), 0.0), std::vector<double>(static_cast<size_t>(channels), 0.0)};
  for (int t = 0; t < threads; t++) {
    if (partA[static_cast<size_t>(t)].empty()) continue;  // a thread the runtime did not start
    for (int64_t c = 0; c < channels; c++) {
      out.a[c] += partA[static_cast<size_t>(t)][c];
      out.b[c] += partB[static_cast<size_t>(t)][c];
    }
  }
  return out;
}

// params: [xOff, gammaOff(-1), betaOff(-1), yOff, meanOff, varianceOff, rows, channels, epsilon, relu]
void batchNormForward(const Bytes &heap, const Params &p) {
  const int64_t rows = p.at(6), channels = p.at(7);
  const double epsilon = p.v[8];
  const bool relu = p.at(9) != 0;
  const float *x = heapFloats(heap, p.at(0), rows * channels, "x");
  const float *gamma = p.at(1) >= 0 ? heapFloats(heap, p.at(1), channels, "gamma") : nullptr;
  const float *beta = p.at(2) >= 0 ? heapFloats(heap, p.at(2), channels, "beta") : nullptr;
  float *y = heapFloats(heap, p.at(3), rows * channels, "y");
  float *meanOut = heapFloats(heap, p.at(4), channels, "mean");
  float *varianceOut = heapFloats(heap, p.at(5), channels, "variance");
  // Sums of d = x - x[0] and d^2 (shifted by the first row, so that E[d^2] - E[d]^2 does not cancel
  // when the mean is large against the spread).
  const float *first = x;
  ChannelSums s = reduceRows(rows, channels, [&](int64_t r, float *sum, float *sumSq) {
    const float *xr = x + r * channels;
#pragma omp simd
    for (int64_t c = 0; c < channels; c++) {
      const float d = xr[c] - first[c];
      sum[c] += d;
      sumSq[c] += d * d;
    }
  });
  std::vector<float> scale(static_cast<size_t>(channels)), shift(static_cast<size_t>(channels));
  for (int64_t c = 0; c < channels; c++) {
    const double meanShifted = s.a[c] / static_cast<double>(rows);
    const double mean = meanShifted + static_cast<double>(first[c]);
    const double variance = std::max(0.0, s.b[c] / static_cast<double>(rows) - meanShifted * meanShifted);
    const double inv = 1.0 / std::sqrt(variance + epsilon);
    const double k = (gamma != nullptr ? gamma[c] : 1.0) * inv;
    scale[c] = static_cast<float>(k);
    shift[c] = static_cast<float>((beta != nullptr ? beta[c] : 0.0) - mean * k);
    meanOut[c] = static_cast<float>(mean);
    varianceOut[c] = static_cast<float>(variance);
  }
  const float *sc = scale.data(), *sh = shift.data();
#pragma omp parallel for schedule(static)
  for (int64_t r = 0; r < rows; r++) {
    const float *xr = x + r * channels;
    float *yr = y + r * channels;
    if (relu) {
#pragma omp simd
      for (int64_t c = 0; c < channels; c++) yr[c] = std::max(0.f, xr[c] * sc[c] + sh[c]);
    } else {
#pragma omp simd
      for (int64_t c = 0; c < channels; c++) yr[c] = xr[c] * sc[c] + sh[c];
    }
  }
}

// params: [dyOff, xOff, meanOff, varianceOff, gammaOff(-1), yOff(-1: no ReLU), dxOff, dgammaOff, dbetaOff, rows, channels, epsilon]
void batchNormBackward(const Bytes &heap, const Params &p) {
  const int64_t rows = p.at(9), channels = p.at(10);
  const double epsilon = p.v[11];
  const float *dy = heapFloats(heap, p.at(0), rows * channels, "dy");
  const float *x = heapFloats(heap, p.at(1), rows * channels, "x");
  const float *mean = heapFloats(heap, p.at(2), channels, "mean");
  const float *variance = heapFloats(heap, p.at(3), channels, "variance");
  const float *gamma = p.at(4) >= 0 ? heapFloats(heap, p.at(4), channels, "gamma") : nullptr;
  const float *y = p.at(5) >= 0 ? heapFloats(heap, p.at(5), rows * channels, "y") : nullptr;
  float *dx = heapFloats(heap, p.at(6), rows * channels, "dx");
  float *dgammaOut = heapFloats(heap, p.at(7), channels, "dgamma");
  float *dbetaOut = heapFloats(heap, p.at(8), channels, "dbeta");
  ChannelSums s = reduceRows(rows, channels, [&](int64_t r, float *dbeta, float *dgammaRaw) {
    const float *dyr = dy + r * channels, *xr = x + r * channels;
    if (y != nullptr) {
      const float *yr = y + r * channels;
#pragma omp simd
      for (int64_t c = 0; c < channels; c++) {
        const float g = yr[c] > 0.f ? dyr[c] : 0.f;
        dbeta[c] += g;
        dgammaRaw[c] += g * (xr[c] - mean[c]);
      }
    } else {
#pragma omp simd
      for (int64_t c = 0; c < channels; c++) {
        dbeta[c] += dyr[c];
        dgammaRaw[c] += dyr[c] * (xr[c] - mean[c]);
      }
    }
  });
  // dx = k * g + (x - mean) * c1 + c0, with k = gamma * inv, c1 = -k * inv * dgamma / M, c0 = -k * dbeta / M
  std::vector<float> k(static_cast<size_t>(channels)), c1(static_cast<size_t>(channels)), c0(static_cast<size_t>(channels));
  const double m = static_cast<double>(rows);
  for (int64_t c = 0; c < channels; c++) {
    const double inv = 1.0 / std::sqrt(static_cast<double>(variance[c]) + epsilon);
    const double dgamma = s.b[c] * inv;
    const double kc = (gamma != nullptr ? gamma[c] : 1.0) * inv;
    const double slope = -kc * inv * dgamma / m;
    dgammaOut[c] = static_cast<float>(dgamma);
    dbetaOut[c] = static_cast<float>(s.a[c]);
    k[c] = static_cast<float>(kc);
    c1[c] = static_cast<float>(slope);
    c0[c] = static_cast<float>(-kc * s.a[c] / m);
  }
  const float *kp = k.data(), *c1p = c1.data(), *c0p = c0.data();
#pragma omp parallel for schedule(static)
  for (int64_t r = 0; r < rows; r++) {
    const float *dyr = dy + r * channels, *xr = x + r * channels, *yr = y != nullptr ? y + r * channels : nullptr;
    float *dxr = dx + r * channels;
    if (yr != nullptr) {
#pragma omp simd
      for (int64_t c = 0; c < channels; c++) dxr[c] = (yr[c] > 0.f ? dyr[c] : 0.f) * kp[c] + (xr[c] - mean[c]) * c1p[c] + c0p[c];
    } else {
#pragma omp simd
      for (int64_t c = 0; c < channels; c++) dxr[c] = dyr[c] * kp[c] + (xr[c] - mean[c]) * c1p[c] + c0p[c];
    }
  }
}

// ---------------------------------------------------------------- exports

template <typename F>
napi_value guarded(napi_env env, F &&body) {
  try {
    return body();
  } catch (const JsError &e) {
    napi_throw_error(env, "ONEDNN_ARGUMENT", e.message.c_str());
  } catch (const dnnl::error &e) {
    napi_throw_error(env, "ONEDNN_ERROR", (std::string("oneDNN: ") + e.what() + " (status " + std::to_string(e.status) + ")").c_str());
  } catch (const std::exception &e) {
    napi_throw_error(env, "ONEDNN_ERROR", (std::string("onednn addon: ") + e.what()).c_str());
  }
  return nullptr;
}

napi_value undefinedValue(napi_env env) {
  napi_value u;
  napi_get_undefined(env, &u);
  return u;
}

void args2(napi_env env, napi_callback_info info, napi_value out[2]) {
  size_t argc = 2;
  check(env, napi_get_cb_info(env, info, &argc, out, nullptr, nullptr), "napi_get_cb_info");
  if (argc < 2) throw JsError{"onednn addon: expected (heap, params)"};
}

// One exported function per kernel: (heap, params) -> undefined, errors as JS exceptions.
template <void (*Kernel)(const Bytes &, const Params &)>
napi_value HeapCall(napi_env env, napi_callback_info info) {
  return guarded(env, [&]() {
    napi_value argv[2];
    args2(env, info, argv);
    Kernel(typedArrayBytes(env, argv[0], "heap"), readParams(env, argv[1]));
    return undefinedValue(env);
  });
}

napi_value setNumber(napi_env env, napi_value obj, const char *name, double v) {
  napi_value value;
  check(env, napi_create_double(env, v, &value), "napi_create_double");
  check(env, napi_set_named_property(env, obj, name, value), "napi_set_named_property");
  return obj;
}

// The one numeric argument of a setter, at least `min`.
double numberArg(napi_env env, napi_callback_info info, const char *what, double min) {
  size_t argc = 1;
  napi_value argv[1];
  check(env, napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr), "napi_get_cb_info");
  double n = 0;
  if (argc < 1 || napi_get_value_double(env, argv[0], &n) != napi_ok || n < min) {
    throw JsError{std::string("onednn addon: ") + what + " needs a number >= " + std::to_string(static_cast<int>(min))};
  }
  return n;
}

// setThreads(n): oneDNN's OpenMP threads for later primitives.
napi_value SetThreads(napi_env env, napi_callback_info info) {
  return guarded(env, [&]() {
    const double n = numberArg(env, info, "setThreads", 1);
    omp_set_num_threads(static_cast<int>(n));
    return undefinedValue(env);
  });
}

// info(): version, ISA, threads, cache sizes and the implementation oneDNN chose for each primitive.
napi_value Info(napi_env env, napi_callback_info) {
  return guarded(env, [&]() {
    napi_value obj;
    check(env, napi_create_object(env, &obj), "napi_create_object");
    const dnnl_version_t *v = dnnl::version();
    std::string version = std::to_string(v->major) + "." + std::to_string(v->minor) + "." + std::to_string(v->patch);
    napi_value str;
    check(env, napi_create_string_utf8(env, version.c_str(), version.size(), &str), "napi_create_string_utf8");
    check(env, napi_set_named_property(env, obj, "version", str), "napi_set_named_property");
    const char *isa = "unknown";
    switch (dnnl::get_effective_cpu_isa()) {
      case dnnl::cpu_isa::sse41: isa = "sse41"; break;
      case dnnl::cpu_isa::avx: isa = "avx"; break;
      case dnnl::cpu_isa::avx2: isa = "avx2"; break;
      case dnnl::cpu_isa::avx512_core: isa = "avx512_core"; break;
      case dnnl::cpu_isa::avx512_core_vnni: isa = "avx512_core_vnni"; break;
      case dnnl::cpu_isa::avx512_core_bf16: isa = "avx512_core_bf16"; break;
      case dnnl::cpu_isa::avx512_core_amx: isa = "avx512_core_amx"; break;
      case dnnl::cpu_isa::avx2_vnni: isa = "avx2_vnni"; break;
      default: isa = "other";
    }
    check(env, napi_create_string_utf8(env, isa, NAPI_AUTO_LENGTH, &str), "napi_create_string_utf8");
    check(env, napi_set_named_property(env, obj, "isa", str), "napi_set_named_property");
    setNumber(env, obj, "threads", omp_get_max_threads());
    setNumber(env, obj, "primitives", static_cast<double>(forwardCache.size() + backwardDataCache.size() + backwardWeightsCache.size() +
                                                           matmulCache.size()));
    setNumber(env, obj, "primitivesCreated", static_cast<double>(primitivesCreated));
    setNumber(env, obj, "cachedFilters", static_cast<double>(filterCache().size()));
    setNumber(env, obj, "cachedFilterBytes", static_cast<double>(filterCache().bytes()));
    setNumber(env, obj, "filterCacheCapacityBytes", static_cast<double>(filterCache().capacity()));
    setNumber(env, obj, "filterReorders", static_cast<double>(filterCache().reorders()));
    napi_value impls;
    check(env, napi_create_object(env, &impls), "napi_create_object");
    for (const auto &kv : implementations) {
      check(env, napi_create_string_utf8(env, kv.second.c_str(), kv.second.size(), &str), "napi_create_string_utf8");
      check(env, napi_set_named_property(env, impls, kv.first.c_str(), str), "napi_set_named_property");
    }
    check(env, napi_set_named_property(env, obj, "implementations", impls), "napi_set_named_property");
    return obj;
  });
}

// setFilterCacheBytes(n): the byte bound of the reordered-filter cache (0 disables it).
napi_value SetFilterCacheBytes(napi_env env, napi_callback_info info) {
  return guarded(env, [&]() {
    const double n = numberArg(env, info, "setFilterCacheBytes", 0);
    filterCache().setCapacity(static_cast<size_t>(n));
    return undefinedValue(env);
  });
}

// clearCaches(): drops every cached primitive and reordered filter (native memory back to baseline).
napi_value ClearCaches(napi_env env, napi_callback_info) {
  return guarded(env, [&]() {
    forwardCache.clear();
    backwardDataCache.clear();
    backwardWeightsCache.clear();
    matmulCache.clear();
    implementations.clear();
    filterCache().clear();
    return undefinedValue(env);
  });
}

napi_value Init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"conv", nullptr, HeapCall<conv>, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"matmul", nullptr, HeapCall<matmul>, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"channelAffine", nullptr, HeapCall<channelAffine>, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"channelMean", nullptr, HeapCall<channelMean>, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"batchNormForward", nullptr, HeapCall<batchNormForward>, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"batchNormBackward", nullptr, HeapCall<batchNormBackward>, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"setThreads", nullptr, SetThreads, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"info", nullptr, Info, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"clearCaches", nullptr, ClearCaches, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"setFilterCacheBytes", nullptr, SetFilterCacheBytes, nullptr, nullptr, nullptr, napi_default, nullptr},
  };
  napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props);
  return exports;
}

}  // namespace

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)

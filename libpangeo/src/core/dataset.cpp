#include "pangeo/dataset.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace pangeo {

Status check_json_limits(std::string_view text, const std::string& what) {
  if (text.size() > kMaxJsonBytes)
    return corrupt("{}: {} bytes of JSON, more than the {} MiB accepted", what, text.size(), kMaxJsonBytes >> 20);
  size_t depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') ++i;
      else if (c == '"') in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > kMaxJsonDepth) return corrupt("{}: JSON nested deeper than {} levels", what, kMaxJsonDepth);
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return Status::Ok();
}

Status check_group_depth(const std::string& prefix) {
  if (size_t(std::count(prefix.begin(), prefix.end(), '/')) <= kMaxGroupDepth) return Status::Ok();
  return corrupt("groups nested deeper than {} levels (at \"{}...\")", kMaxGroupDepth, prefix.substr(0, 64));
}

Result<Json> parse_json(std::string_view text, const std::string& what) {
  PG_RETURN_IF_ERROR(check_json_limits(text, what));
  try {
    return Json::parse(text);
  } catch (const std::exception& e) {
    return corrupt("{}: invalid JSON ({})", what, json_error_text(e));
  }
}

std::string json_error_text(const std::exception& e) {
  std::string why = e.what();
  if (why.rfind("[json.exception", 0) == 0)
    if (auto p = why.find("] "); p != std::string::npos) why = why.substr(p + 2);
  return why;
}

AttrValue AttrValue::from_json(const Json& j) {
  auto type_of = [](const Json& e) {
    if (e.is_string()) return DType::of(DTypeKind::kChar);
    if (e.is_boolean()) return DType::of(DTypeKind::kInt8);
    if (e.is_number_unsigned() && e.get<uint64_t>() > uint64_t(std::numeric_limits<int64_t>::max()))
      return DType::of(DTypeKind::kUInt64);
    if (e.is_number_integer()) return DType::of(DTypeKind::kInt64);
    return DType::of(DTypeKind::kFloat64);
  };
  if (j.is_array()) {
    if (j.empty()) return {DType::of(DTypeKind::kFloat64), j};
    DType t = type_of(j[0]);
    bool any_float = false, all_str = true;
    for (const auto& e : j) {
      any_float |= e.is_number_float();
      all_str &= e.is_string();
    }
    if (all_str) return {DType::of(DTypeKind::kString), j};
    if (any_float) t = DType::of(DTypeKind::kFloat64);
    return {t, j};
  }
  if (j.is_null()) return {DType::of(DTypeKind::kChar), Json("")};
  if (j.is_object()) return {DType::of(DTypeKind::kChar), j};  // kept whole (NCZarr's _nczarr_* attributes)
  return {type_of(j), j};
}

size_t AttrValue::length() const { return value.is_array() ? value.size() : 1; }

static double json_number(const Json& e) {
  if (e.is_number()) return e.get<double>();
  if (e.is_boolean()) return e.get<bool>() ? 1 : 0;
  if (e.is_string()) {
    const auto& s = e.get_ref<const std::string&>();
    if (s == "NaN") return std::nan("");
    if (s == "Infinity") return std::numeric_limits<double>::infinity();
    if (s == "-Infinity") return -std::numeric_limits<double>::infinity();
  }
  return std::nan("");
}

std::vector<double> AttrValue::numbers() const {
  std::vector<double> out;
  if (is_text() || value.is_object()) return out;
  if (value.is_array())
    for (const auto& e : value) out.push_back(json_number(e));
  else
    out.push_back(json_number(value));
  return out;
}

bool AttrValue::operator==(const AttrValue& o) const {
  if (is_text() || o.is_text() || value.is_object() || o.value.is_object()) return value == o.value;
  auto a = numbers(), b = o.numbers();
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (!(a[i] == b[i] || (std::isnan(a[i]) && std::isnan(b[i])))) return false;
  return true;
}

const AttrValue* Attributes::find(std::string_view name) const {
  for (const auto& a : items_)
    if (a.name == name) return &a.value;
  return nullptr;
}

void Attributes::set(std::string name, AttrValue value) {
  for (auto& a : items_)
    if (a.name == name) {
      a.value = std::move(value);
      return;
    }
  items_.push_back({std::move(name), std::move(value)});
}

bool Attributes::erase(std::string_view name) {
  for (auto it = items_.begin(); it != items_.end(); ++it)
    if (it->name == name) {
      items_.erase(it);
      return true;
    }
  return false;
}

std::optional<std::string> Attributes::text(std::string_view name) const {
  const AttrValue* v = find(name);
  if (!v || !v->value.is_string()) return std::nullopt;
  return v->value.get<std::string>();
}

std::optional<double> Attributes::number(std::string_view name) const {
  const AttrValue* v = find(name);
  if (!v || v->is_text()) return std::nullopt;
  auto n = v->numbers();
  if (n.empty()) return std::nullopt;
  return n[0];
}

Json Attributes::to_json() const {
  Json o = Json::object();
  for (const auto& a : items_) o[a.name] = a.value.value;
  return o;
}

Json replace_non_finite(const Json& j, const std::function<Json(double)>& spell) {
  if (j.is_number_float() && !std::isfinite(j.get<double>())) return spell(j.get<double>());
  if (j.is_array()) {
    Json out = Json::array();
    for (const auto& e : j) out.push_back(replace_non_finite(e, spell));
    return out;
  }
  if (j.is_object()) {
    Json out = Json::object();
    for (auto it = j.begin(); it != j.end(); ++it) out[it.key()] = replace_non_finite(it.value(), spell);
    return out;
  }
  return j;
}

std::string to_valid_utf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  const auto byte = [&](size_t i) { return i < s.size() ? uint8_t(s[i]) : uint8_t(0); };
  for (size_t i = 0; i < s.size();) {
    const uint8_t c = byte(i);
    if (c < 0x80) {
      out += char(c);
      ++i;
      continue;
    }
    // Unicode 15, table 3-7: the well-formed sequences; an ill-formed one is replaced
    // by one U+FFFD per maximal subpart.
    size_t need = 0;
    uint8_t lo = 0x80, hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) need = 1;
    else if (c == 0xE0) need = 2, lo = 0xA0;
    else if ((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF) need = 2;
    else if (c == 0xED) need = 2, hi = 0x9F;
    else if (c == 0xF0) need = 3, lo = 0x90;
    else if (c >= 0xF1 && c <= 0xF3) need = 3;
    else if (c == 0xF4) need = 3, hi = 0x8F;
    size_t k = 0;
    while (need && k < need) {
      const uint8_t b = byte(i + 1 + k);
      if (i + 1 + k >= s.size() || b < (k == 0 ? lo : 0x80) || b > (k == 0 ? hi : 0xBF)) break;
      ++k;
    }
    if (need && k == need) {
      out.append(s.substr(i, need + 1));
      i += need + 1;
    } else {
      out += "\xEF\xBF\xBD";
      i += need ? k + 1 : 1;
    }
  }
  return out;
}

Attributes Attributes::from_json(const Json& object) {
  Attributes out;
  if (!object.is_object()) return out;
  // The keys of a JSON object are distinct: no search for an existing one (set() would make
  // this quadratic in the number of attributes).
  out.items_.reserve(object.size());
  for (auto it = object.begin(); it != object.end(); ++it) out.items_.push_back({it.key(), AttrValue::from_json(it.value())});
  return out;
}

std::optional<Bytes> Variable::fill_value_bytes() const {
  const AttrValue* v = attrs.find("_FillValue");
  if (!v || v->is_text() || !dtype.is_numeric()) return std::nullopt;
  auto n = v->numbers();
  if (n.empty()) return std::nullopt;
  Bytes b(dtype.itemsize);
  if (dtype.kind == DTypeKind::kInt64 && v->value.is_number_integer() && !v->value.is_array()) {
    int64_t i = v->value.get<int64_t>();
    std::memcpy(b.data(), &i, 8);
  } else if (dtype.kind == DTypeKind::kUInt64 && v->value.is_number_unsigned() && !v->value.is_array()) {
    uint64_t i = v->value.get<uint64_t>();
    std::memcpy(b.data(), &i, 8);
  } else {
    store_from_double(dtype, b.data(), 0, n[0]);
  }
  return b;
}

const Variable* Group::find_var(std::string_view name) const {
  for (const auto& v : vars)
    if (v.name == name) return &v;
  return nullptr;
}
Variable* Group::find_var(std::string_view name) {
  for (auto& v : vars)
    if (v.name == name) return &v;
  return nullptr;
}
const Dimension* Group::find_dim(std::string_view name) const {
  for (const auto& d : dims)
    if (d.name == name) return &d;
  return nullptr;
}
const Group* Group::find_group(std::string_view name) const {
  for (const auto& g : groups)
    if (g.name == name) return &g;
  return nullptr;
}

Result<Bytes> json_to_scalar_bytes(const Json& j, const DType& dtype) {
  if (!dtype.is_numeric()) {
    if (dtype.kind == DTypeKind::kChar || dtype.kind == DTypeKind::kBytes) {
      Bytes b(dtype.itemsize, 0);
      if (j.is_string()) {
        // zarr-python stores bytes fill values base64-encoded; "" and plain text are common too.
        const auto& s = j.get_ref<const std::string&>();
        if (!s.empty() && s.size() <= b.size()) std::memcpy(b.data(), s.data(), s.size());
      } else if (j.is_number_integer()) {
        b[0] = uint8_t(j.get<int64_t>());
      }
      return b;
    }
    return Bytes(dtype.kind == DTypeKind::kString ? 0 : dtype.itemsize, 0);
  }
  Bytes b(dtype.itemsize, 0);
  if (j.is_boolean()) {
    store_from_double(dtype, b.data(), 0, j.get<bool>() ? 1 : 0);
  } else if (j.is_number_integer() && dtype.kind == DTypeKind::kInt64) {
    int64_t v = j.get<int64_t>();
    std::memcpy(b.data(), &v, 8);
  } else if (j.is_number_unsigned() && dtype.kind == DTypeKind::kUInt64) {
    uint64_t v = j.get<uint64_t>();
    std::memcpy(b.data(), &v, 8);
  } else if (j.is_number() || j.is_string()) {
    double v = json_number(j);
    if (j.is_string() && std::isnan(v) && j.get<std::string>() != "NaN")
      return invalid_argument("bad fill value {}", j.dump());
    store_from_double(dtype, b.data(), 0, v);
  } else if (j.is_array() && j.size() == 2 && (dtype.kind == DTypeKind::kComplex64 || dtype.kind == DTypeKind::kComplex128)) {
    DType part = DType::of(dtype.kind == DTypeKind::kComplex64 ? DTypeKind::kFloat32 : DTypeKind::kFloat64);
    store_from_double(part, b.data(), 0, json_number(j[0]));
    store_from_double(part, b.data(), 1, json_number(j[1]));
  } else {
    return invalid_argument("bad fill value {}", j.dump());
  }
  return b;
}

Json scalar_bytes_to_json(const Bytes& raw, const DType& dtype) {
  if (raw.size() < dtype.itemsize) return nullptr;
  switch (dtype.kind) {
    case DTypeKind::kBool: return raw[0] != 0;
    case DTypeKind::kInt64: { int64_t v; std::memcpy(&v, raw.data(), 8); return v; }
    case DTypeKind::kUInt64: { uint64_t v; std::memcpy(&v, raw.data(), 8); return v; }
    default: break;
  }
  if (dtype.is_integer()) return int64_t(load_as_double(dtype, raw.data(), 0));
  if (dtype.is_float()) {
    double v = load_as_double(dtype, raw.data(), 0);
    if (std::isnan(v)) return "NaN";
    if (std::isinf(v)) return v > 0 ? "Infinity" : "-Infinity";
    return v;
  }
  return nullptr;
}

}  // namespace pangeo

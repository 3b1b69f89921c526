//===- passes/PassRegistry.cpp --------------------------------------------===//

#include "passes/PassRegistry.h"

#include <algorithm>

#include "passes/BuiltinPasses.h"
#include "passes/PassManager.h"

namespace bcc {

const char *extensionPointName(ExtensionPoint point) {
  switch (point) {
  case ExtensionPoint::PipelineStart:
    return "pipeline-start";
  case ExtensionPoint::CleanupsEnd:
    return "cleanups-end";
  case ExtensionPoint::OptimizerLast:
    return "optimizer-last";
  }
  bcc_unreachable("unknown extension point");
}

PassRegistry::PassRegistry() {
#define PASS(Name, Factory, Kind, Parameters, Description)                    \
  passes_.push_back({Name, Kind, Parameters, Description, Factory, ""});
#include "passes/Passes.def"
}

const PassRegistry &PassRegistry::builtin() {
  static const PassRegistry registry;
  return registry;
}

namespace {

/// Lowercase letters and digits in words joined by single '-', starting
/// with a letter: what the pipeline text can name without quoting.
bool isPassName(llvm::StringRef name) {
  if (name.empty() || !(name[0] >= 'a' && name[0] <= 'z') ||
      name.back() == '-')
    return false;
  for (size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    bool word = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (!word && !(c == '-' && name[i - 1] != '-'))
      return false;
  }
  return true;
}

} // namespace

Status PassRegistry::registerPass(PassInfo info) {
  info.plugin = currentPlugin_;
  auto fail = [&](std::string message) -> Status {
    Error error(std::move(message));
    if (!currentPlugin_.empty() && !pluginError_)
      pluginError_ = error;
    return error;
  };
  if (!isPassName(info.name))
    return fail("'" + info.name +
                "' is not a pass name (lowercase words joined by '-')");
  if (const PassInfo *other = find(info.name))
    return fail("a pass called '" + info.name + "' is already registered" +
                (other->plugin.empty() ? std::string(" (one of bcc's own)")
                                       : " by plugin '" + other->plugin + "'"));
  if (info.kind != "exact" && info.kind != "facts" && info.kind != "test")
    return fail("pass '" + info.name + "' has kind '" + info.kind +
                "' (it must be exact, facts or test)");
  if (!info.create)
    return fail("pass '" + info.name + "' has no factory");
  passes_.push_back(std::move(info));
  return Status::ok();
}

void PassRegistry::registerExtension(ExtensionPoint point,
                                     PipelineExtension extension) {
  extensions_[unsigned(point)].push_back(std::move(extension));
}

const PassInfo *PassRegistry::find(llvm::StringRef name) const {
  for (const PassInfo &info : passes_)
    if (name == info.name)
      return &info;
  return nullptr;
}

Expected<std::unique_ptr<Pass>>
PassRegistry::create(llvm::StringRef name,
                     const PassParameters &parameters) const {
  const PassInfo *info = find(name);
  if (!info)
    return Error("unknown pass '" + name.str() +
                 "' (bcc opt --list-passes lists them)");
  Expected<std::unique_ptr<Pass>> pass = info->create(parameters);
  // --print-after, --time-passes and the remarks know a pass by name().
  if (pass && (*pass)->name() != info->name)
    return Error("pass '" + info->name + "' creates a pass whose name() is '" +
                 (*pass)->name().str() + "'");
  return pass;
}

void PassRegistry::extend(ExtensionPoint point, PassManager &pm,
                          const OptimizationOptions &options) const {
  for (const PipelineExtension &extension : extensions_[unsigned(point)])
    extension(pm, options);
}

PassRegistry::PluginScope::PluginScope(PassRegistry &registry,
                                       std::string plugin)
    : registry_(registry), passes_(registry.passes_.size()) {
  for (unsigned i = 0; i < kNumExtensionPoints; ++i)
    extensions_[i] = registry.extensions_[i].size();
  registry_.currentPlugin_ = std::move(plugin);
  registry_.pluginError_.reset();
}

Status PassRegistry::PluginScope::close() {
  if (closed_)
    return Status::ok();
  closed_ = true;
  registry_.currentPlugin_.clear();
  std::optional<Error> error = std::move(registry_.pluginError_);
  registry_.pluginError_.reset();
  if (!error)
    return Status::ok();
  takeBack();
  return *error;
}

void PassRegistry::PluginScope::abandon() {
  if (closed_)
    return;
  closed_ = true;
  registry_.currentPlugin_.clear();
  registry_.pluginError_.reset();
  takeBack();
}

void PassRegistry::PluginScope::takeBack() {
  registry_.passes_.resize(passes_);
  for (unsigned i = 0; i < kNumExtensionPoints; ++i)
    registry_.extensions_[i].resize(extensions_[i]);
}

PassRegistry::PluginScope::~PluginScope() { (void)close(); }

Status PassParameters::allowOnly(llvm::StringRef pass,
                                 llvm::ArrayRef<llvm::StringRef> known) const {
  for (const auto &[name, value] : values_) {
    (void)value;
    if (std::find(known.begin(), known.end(), name) == known.end()) {
      std::string message = "pass '" + pass.str() + "' has no parameter '" +
                            name + "'";
      if (known.empty())
        message += " (it takes none)";
      else {
        message += " (it takes";
        for (size_t i = 0; i < known.size(); ++i)
          message += (i ? ", " : " ") + known[i].str();
        message += ")";
      }
      return Error(message);
    }
  }
  return Status::ok();
}

Expected<uint64_t> PassParameters::getUnsigned(llvm::StringRef pass,
                                               llvm::StringRef name,
                                               uint64_t fallback) const {
  for (const auto &[key, value] : values_) {
    if (key != name)
      continue;
    uint64_t n = 0;
    if (llvm::StringRef(value).getAsInteger(10, n))
      return Error("pass '" + pass.str() + "': parameter '" + key +
                   "' needs a number, not '" + value + "'");
    return n;
  }
  return fallback;
}

} // namespace bcc

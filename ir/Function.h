//===- ir/Function.h - A code object as SSA, and the module of a .pyc -----===//
//
// A Function is one code object: the metadata that instructions do not
// represent (argument counts, flags, names, first line, localsplus names and
// kinds) and the constant and name pools in their original order, plus the
// blocks of its body in their original layout order. The first block is the
// entry. Nested code objects in the constant pool are child Functions of the
// same Module.
//
// What instructions represent is not kept here: co_code, the location and
// exception tables and co_stacksize are regenerated from the blocks.
//
// Blocks, instructions and their operand arrays are allocated from the
// function's bump allocator and freed with the function, so lifting does not
// go to the heap per instruction.
//
// A Module is the tree of code objects of one .pyc: every Function, the
// module's own code object first, in an order the lifter chooses (bcc uses
// the pre-order of the code-constant tree, which is also the order the text
// form prints).
//
//===----------------------------------------------------------------------===//
#ifndef BCC_IR_FUNCTION_H
#define BCC_IR_FUNCTION_H

#include <memory>
#include <vector>

#include "ir/Block.h"
#include "ir/CodeObject.h"
#include "ir/Constant.h"
#include "ir/PythonVersion.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/simple_ilist.h"
#include "llvm/Support/Allocator.h"

namespace bcc {

class Function;
class Module;

/// One entry of co_consts: a Constant, or a nested code object, which the
/// IR holds as a child Function. Code objects only ever appear at the top
/// level of co_consts, never inside a tuple, so that is the only place the
/// IR supports them.
class PoolConstant {
public:
  static PoolConstant value(ConstantRef constant) {
    assert(constant && !constant->is(ConstantKind::Code) &&
           "a code constant must be a child Function");
    PoolConstant c;
    c.constant_ = std::move(constant);
    return c;
  }
  static PoolConstant code(Function *child) {
    assert(child && "null child function");
    PoolConstant c;
    c.code_ = child;
    return c;
  }

  bool isCode() const { return code_ != nullptr; }
  /// The constant; null for a code constant.
  const ConstantRef &constant() const { return constant_; }
  /// The child function; null for any other constant.
  Function *codeFunction() const { return code_; }

private:
  PoolConstant() = default;
  ConstantRef constant_;
  Function *code_ = nullptr;
};

class Function {
public:
  using BlockList = llvm::simple_ilist<Block>;
  using iterator = BlockList::iterator;
  using const_iterator = BlockList::const_iterator;

  Module *parent() const { return parent_; }
  /// Position in the module; the text form prints it as `@N`.
  unsigned index() const { return index_; }
  PythonVersion version() const;

  // --- Code-object metadata (see CodeObject) ----------------------------
  PyString name;
  PyString qualName;
  PyString fileName;
  int32_t argCount = 0;
  int32_t posOnlyArgCount = 0;
  int32_t kwOnlyArgCount = 0;
  uint32_t flags = 0;
  int32_t firstLineNo = 0;
  /// The least co_stacksize the backend may give the function: the lifter
  /// sets it to the original co_stacksize, which CPython sometimes makes
  /// larger than the code needs (it counts handlers its optimizer removed
  /// afterwards), so that an unchanged function keeps it. A pass that
  /// makes the function need less stack may lower it. 0: no minimum. The
  /// text form prints it as `minstack N` when it is not 0.
  int32_t minStackSize = 0;
  /// Names and kinds of the frame slots: locals, cells, free variables.
  std::vector<LocalsPlusSlot> localsPlus;
  std::vector<PoolConstant> consts;
  std::vector<PyString> names;

  /// The index of `constant` in consts: the first entry of the same kind
  /// and value (Constant::equals), or a new entry at the end. For passes
  /// that make constants; the lifted entries keep their places.
  unsigned addConstant(ConstantRef constant);
  /// The index of the name `utf8` in names, appended (interned, as CPython
  /// interns co_names) when it is not there.
  unsigned addName(llvm::StringRef utf8);

  /// Copies the metadata and pools of `code`; each code constant becomes
  /// `childFor(itsCodeObject)`. Before 3.11, localsPlus is made from
  /// co_varnames, co_cellvars and co_freevars.
  void
  copyMetadataFrom(const CodeObject &code,
                   llvm::function_ref<Function *(const CodeObject &)> childFor);
  /// The inverse for 3.11+: sets the metadata and pools of `code` (version,
  /// names, counts, flags, localsplus, consts, names); each child function
  /// becomes `codeFor(child)`. co_code, the tables and co_stacksize are
  /// left to the caller.
  void copyMetadataTo(
      CodeObject &code,
      llvm::function_ref<std::shared_ptr<const CodeObject>(const Function &)>
          codeFor) const;

  // --- Blocks -----------------------------------------------------------
  iterator begin() { return blocks_.begin(); }
  iterator end() { return blocks_.end(); }
  const_iterator begin() const { return blocks_.begin(); }
  const_iterator end() const { return blocks_.end(); }
  bool empty() const { return blocks_.empty(); }
  size_t numBlocks() const { return blocks_.size(); }

  /// Numbers every block in order (Block::number()) and every value (each
  /// block's parameters, then its instructions' results, in block order;
  /// Value::number()) from 0, and returns how many values there are: for
  /// analyses that keep per-block or per-value facts in arrays.
  unsigned renumber() const;
  Block *entry() { return blocks_.empty() ? nullptr : &blocks_.front(); }
  const Block *entry() const {
    return blocks_.empty() ? nullptr : &blocks_.front();
  }

  /// A new empty block at the end of the function, or before `before`.
  Block *createBlock(Block *before = nullptr);

  /// The allocator that owns this function's blocks and instructions.
  llvm::BumpPtrAllocator &allocator() { return allocator_; }

  ~Function();
  Function(const Function &) = delete;
  Function &operator=(const Function &) = delete;

private:
  friend class Module;
  friend class Block;
  Function(Module *parent, unsigned index) : parent_(parent), index_(index) {}
  /// Exchanges everything but the parent and the index with `other`:
  /// metadata, pools, allocator and blocks (whose parent is fixed).
  void swapContents(Function &other);

  Module *parent_;
  unsigned index_;
  llvm::BumpPtrAllocator allocator_;
  BlockList blocks_;
};

class Module {
public:
  explicit Module(PythonVersion version) : version_(version) {}

  PythonVersion version() const { return version_; }

  /// A new empty function at the end of the module.
  Function *createFunction();

  size_t numFunctions() const { return functions_.size(); }
  Function *function(unsigned index) const { return functions_[index].get(); }
  /// The module's own code object: the first function.
  Function *topLevel() const {
    return functions_.empty() ? nullptr : functions_.front().get();
  }
  const std::vector<std::unique_ptr<Function>> &functions() const {
    return functions_;
  }

  /// Takes the contents of `other`, a module of the same version, which is
  /// left empty; for code that builds a module elsewhere (from text) and
  /// puts it in place of this one. Function i of this module stays the same
  /// object with the same index, so that pointers to it (a PassContext's,
  /// module facts') stay valid, and gets the metadata, pools and blocks of
  /// other's function i; a code constant that pointed to a function of
  /// `other` points to the function of this module with the same index.
  /// Functions of `other` beyond this module's count are moved over (their
  /// parent becomes this module); this module's functions beyond other's
  /// count are destroyed, and pointers to those dangle.
  void replaceWith(Module &&other);

private:
  PythonVersion version_;
  std::vector<std::unique_ptr<Function>> functions_;
};

} // namespace bcc

#endif // BCC_IR_FUNCTION_H

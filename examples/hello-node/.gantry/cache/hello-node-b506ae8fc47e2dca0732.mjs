var __defProp = Object.defineProperty;
var __getOwnPropDesc = Object.getOwnPropertyDescriptor;
var __name = (target, value) => __defProp(target, "name", { value, configurable: true });
var __decorateClass = (decorators, target, key, kind) => {
  var result = kind > 1 ? void 0 : kind ? __getOwnPropDesc(target, key) : target;
  for (var i = decorators.length - 1, decorator; i >= 0; i--)
    if (decorator = decorators[i])
      result = (kind ? decorator(target, key, result) : decorator(result)) || result;
  if (kind && result) __defProp(target, key, result);
  return result;
};
var __decorateParam = (index, decorator) => (target, key) => decorator(target, key, index);

// index.ts
import { dag, object, func, argument } from "file:///work/main/dist/sdk/index.js";
var HelloNode = class {
  image;
  /**
   * @param image the Node image every step runs in
   */
  constructor(image = "node:22-bookworm-slim") {
    this.image = image;
  }
  base(source) {
    return dag.container().from(this.image).withMountedCache("/root/.npm", dag.cacheVolume("hello-node-npm")).withDirectory("/app", source).withWorkdir("/app").withExec(["npm", "ci", "--no-audit", "--no-fund"]);
  }
  async format(source) {
    return this.base(source).withExec(["npm", "run", "format:check"]).stdout();
  }
  async lint(source) {
    return this.base(source).withExec(["npm", "run", "lint"]).stdout();
  }
  async test(source) {
    return this.base(source).withExec(["npm", "test"]).stdout();
  }
  build(source) {
    return this.base(source).withExec(["npm", "run", "build"]).directory("/app/dist");
  }
  async ci(source) {
    await Promise.all([this.format(source), this.lint(source), this.test(source)]);
    const files = await this.build(source).entries();
    return `format, lint and test passed; build produced: ${files.join(", ")}`;
  }
};
__name(HelloNode, "HelloNode");
__decorateClass([
  func(),
  __decorateParam(0, argument({ defaultPath: ".", ignore: ["node_modules", "dist", ".gantry"] }))
], HelloNode.prototype, "base", 1);
__decorateClass([
  func(),
  __decorateParam(0, argument({ defaultPath: ".", ignore: ["node_modules", "dist", ".gantry"] }))
], HelloNode.prototype, "format", 1);
__decorateClass([
  func(),
  __decorateParam(0, argument({ defaultPath: ".", ignore: ["node_modules", "dist", ".gantry"] }))
], HelloNode.prototype, "lint", 1);
__decorateClass([
  func(),
  __decorateParam(0, argument({ defaultPath: ".", ignore: ["node_modules", "dist", ".gantry"] }))
], HelloNode.prototype, "test", 1);
__decorateClass([
  func(),
  __decorateParam(0, argument({ defaultPath: ".", ignore: ["node_modules", "dist", ".gantry"] }))
], HelloNode.prototype, "build", 1);
__decorateClass([
  func(),
  __decorateParam(0, argument({ defaultPath: ".", ignore: ["node_modules", "dist", ".gantry"] }))
], HelloNode.prototype, "ci", 1);
HelloNode = __decorateClass([
  object()
], HelloNode);
export {
  HelloNode
};
//# sourceMappingURL=data:application/json;base64,ewogICJ2ZXJzaW9uIjogMywKICAic291cmNlcyI6IFsiaW5kZXgudHMiXSwKICAic291cmNlc0NvbnRlbnQiOiBbIi8vIFRoZSBwaXBlbGluZSBvZiB0aGUgaGVsbG8tbm9kZSBleGFtcGxlOiBmb3JtYXQsIGxpbnQgYW5kIHRlc3QgaW4gcGFyYWxsZWwsIHRoZW4gYnVpbGQuXG5pbXBvcnQgeyBkYWcsIENvbnRhaW5lciwgRGlyZWN0b3J5LCBvYmplY3QsIGZ1bmMsIGFyZ3VtZW50IH0gZnJvbSBcIkBkYWdnZXIuaW8vZGFnZ2VyXCI7XG5cbi8qKiBDSSBmb3IgYSBzbWFsbCBOb2RlIEhUVFAgc2VydmljZS4gKi9cbkBvYmplY3QoKVxuZXhwb3J0IGNsYXNzIEhlbGxvTm9kZSB7XG4gIGltYWdlOiBzdHJpbmc7XG5cbiAgLyoqXG4gICAqIEBwYXJhbSBpbWFnZSB0aGUgTm9kZSBpbWFnZSBldmVyeSBzdGVwIHJ1bnMgaW5cbiAgICovXG4gIGNvbnN0cnVjdG9yKGltYWdlOiBzdHJpbmcgPSBcIm5vZGU6MjItYm9va3dvcm0tc2xpbVwiKSB7XG4gICAgdGhpcy5pbWFnZSA9IGltYWdlO1xuICB9XG5cbiAgLyoqIEEgTm9kZSBjb250YWluZXIgd2l0aCB0aGUgcHJvamVjdCBzb3VyY2UgaW5zdGFsbGVkLiAqL1xuICBAZnVuYygpXG4gIGJhc2UoQGFyZ3VtZW50KHsgZGVmYXVsdFBhdGg6IFwiLlwiLCBpZ25vcmU6IFtcIm5vZGVfbW9kdWxlc1wiLCBcImRpc3RcIiwgXCIuZ2FudHJ5XCJdIH0pIHNvdXJjZTogRGlyZWN0b3J5KTogQ29udGFpbmVyIHtcbiAgICByZXR1cm4gZGFnXG4gICAgICAuY29udGFpbmVyKClcbiAgICAgIC5mcm9tKHRoaXMuaW1hZ2UpXG4gICAgICAud2l0aE1vdW50ZWRDYWNoZShcIi9yb290Ly5ucG1cIiwgZGFnLmNhY2hlVm9sdW1lKFwiaGVsbG8tbm9kZS1ucG1cIikpXG4gICAgICAud2l0aERpcmVjdG9yeShcIi9hcHBcIiwgc291cmNlKVxuICAgICAgLndpdGhXb3JrZGlyKFwiL2FwcFwiKVxuICAgICAgLndpdGhFeGVjKFtcIm5wbVwiLCBcImNpXCIsIFwiLS1uby1hdWRpdFwiLCBcIi0tbm8tZnVuZFwiXSk7XG4gIH1cblxuICAvKiogQ2hlY2sgZm9ybWF0dGluZy4gKi9cbiAgQGZ1bmMoKVxuICBhc3luYyBmb3JtYXQoQGFyZ3VtZW50KHsgZGVmYXVsdFBhdGg6IFwiLlwiLCBpZ25vcmU6IFtcIm5vZGVfbW9kdWxlc1wiLCBcImRpc3RcIiwgXCIuZ2FudHJ5XCJdIH0pIHNvdXJjZTogRGlyZWN0b3J5KTogUHJvbWlzZTxzdHJpbmc+IHtcbiAgICByZXR1cm4gdGhpcy5iYXNlKHNvdXJjZSkud2l0aEV4ZWMoW1wibnBtXCIsIFwicnVuXCIsIFwiZm9ybWF0OmNoZWNrXCJdKS5zdGRvdXQoKTtcbiAgfVxuXG4gIC8qKiBMaW50IHRoZSBzb3VyY2VzLiAqL1xuICBAZnVuYygpXG4gIGFzeW5jIGxpbnQoQGFyZ3VtZW50KHsgZGVmYXVsdFBhdGg6IFwiLlwiLCBpZ25vcmU6IFtcIm5vZGVfbW9kdWxlc1wiLCBcImRpc3RcIiwgXCIuZ2FudHJ5XCJdIH0pIHNvdXJjZTogRGlyZWN0b3J5KTogUHJvbWlzZTxzdHJpbmc+IHtcbiAgICByZXR1cm4gdGhpcy5iYXNlKHNvdXJjZSkud2l0aEV4ZWMoW1wibnBtXCIsIFwicnVuXCIsIFwibGludFwiXSkuc3Rkb3V0KCk7XG4gIH1cblxuICAvKiogUnVuIHRoZSB1bml0IHRlc3RzLiAqL1xuICBAZnVuYygpXG4gIGFzeW5jIHRlc3QoQGFyZ3VtZW50KHsgZGVmYXVsdFBhdGg6IFwiLlwiLCBpZ25vcmU6IFtcIm5vZGVfbW9kdWxlc1wiLCBcImRpc3RcIiwgXCIuZ2FudHJ5XCJdIH0pIHNvdXJjZTogRGlyZWN0b3J5KTogUHJvbWlzZTxzdHJpbmc+IHtcbiAgICByZXR1cm4gdGhpcy5iYXNlKHNvdXJjZSkud2l0aEV4ZWMoW1wibnBtXCIsIFwidGVzdFwiXSkuc3Rkb3V0KCk7XG4gIH1cblxuICAvKiogQnVpbGQgZGlzdC8uICovXG4gIEBmdW5jKClcbiAgYnVpbGQoQGFyZ3VtZW50KHsgZGVmYXVsdFBhdGg6IFwiLlwiLCBpZ25vcmU6IFtcIm5vZGVfbW9kdWxlc1wiLCBcImRpc3RcIiwgXCIuZ2FudHJ5XCJdIH0pIHNvdXJjZTogRGlyZWN0b3J5KTogRGlyZWN0b3J5IHtcbiAgICByZXR1cm4gdGhpcy5iYXNlKHNvdXJjZSkud2l0aEV4ZWMoW1wibnBtXCIsIFwicnVuXCIsIFwiYnVpbGRcIl0pLmRpcmVjdG9yeShcIi9hcHAvZGlzdFwiKTtcbiAgfVxuXG4gIC8qKiBUaGUgd2hvbGUgcGlwZWxpbmU6IGZvcm1hdCwgbGludCBhbmQgdGVzdCBpbiBwYXJhbGxlbCwgdGhlbiBidWlsZDsgcmV0dXJucyBhIHN1bW1hcnkuICovXG4gIEBmdW5jKClcbiAgYXN5bmMgY2koQGFyZ3VtZW50KHsgZGVmYXVsdFBhdGg6IFwiLlwiLCBpZ25vcmU6IFtcIm5vZGVfbW9kdWxlc1wiLCBcImRpc3RcIiwgXCIuZ2FudHJ5XCJdIH0pIHNvdXJjZTogRGlyZWN0b3J5KTogUHJvbWlzZTxzdHJpbmc+IHtcbiAgICBhd2FpdCBQcm9taXNlLmFsbChbdGhpcy5mb3JtYXQoc291cmNlKSwgdGhpcy5saW50KHNvdXJjZSksIHRoaXMudGVzdChzb3VyY2UpXSk7XG4gICAgY29uc3QgZmlsZXMgPSBhd2FpdCB0aGlzLmJ1aWxkKHNvdXJjZSkuZW50cmllcygpO1xuICAgIHJldHVybiBgZm9ybWF0LCBsaW50IGFuZCB0ZXN0IHBhc3NlZDsgYnVpbGQgcHJvZHVjZWQ6ICR7ZmlsZXMuam9pbihcIiwgXCIpfWA7XG4gIH1cbn1cbiJdLAogICJtYXBwaW5ncyI6ICI7Ozs7Ozs7Ozs7Ozs7O0FBQ0EsU0FBUyxLQUEyQixRQUFRLE1BQU0sZ0JBQWdCO0FBSTNELElBQU0sWUFBTixNQUFnQjtBQUFBLEVBQ3JCO0FBQUE7QUFBQTtBQUFBO0FBQUEsRUFLQSxZQUFZLFFBQWdCLHlCQUF5QjtBQUNuRCxTQUFLLFFBQVE7QUFBQSxFQUNmO0FBQUEsRUFJQSxLQUFrRixRQUE4QjtBQUM5RyxXQUFPLElBQ0osVUFBVSxFQUNWLEtBQUssS0FBSyxLQUFLLEVBQ2YsaUJBQWlCLGNBQWMsSUFBSSxZQUFZLGdCQUFnQixDQUFDLEVBQ2hFLGNBQWMsUUFBUSxNQUFNLEVBQzVCLFlBQVksTUFBTSxFQUNsQixTQUFTLENBQUMsT0FBTyxNQUFNLGNBQWMsV0FBVyxDQUFDO0FBQUEsRUFDdEQ7QUFBQSxFQUlBLE1BQU0sT0FBb0YsUUFBb0M7QUFDNUgsV0FBTyxLQUFLLEtBQUssTUFBTSxFQUFFLFNBQVMsQ0FBQyxPQUFPLE9BQU8sY0FBYyxDQUFDLEVBQUUsT0FBTztBQUFBLEVBQzNFO0FBQUEsRUFJQSxNQUFNLEtBQWtGLFFBQW9DO0FBQzFILFdBQU8sS0FBSyxLQUFLLE1BQU0sRUFBRSxTQUFTLENBQUMsT0FBTyxPQUFPLE1BQU0sQ0FBQyxFQUFFLE9BQU87QUFBQSxFQUNuRTtBQUFBLEVBSUEsTUFBTSxLQUFrRixRQUFvQztBQUMxSCxXQUFPLEtBQUssS0FBSyxNQUFNLEVBQUUsU0FBUyxDQUFDLE9BQU8sTUFBTSxDQUFDLEVBQUUsT0FBTztBQUFBLEVBQzVEO0FBQUEsRUFJQSxNQUFtRixRQUE4QjtBQUMvRyxXQUFPLEtBQUssS0FBSyxNQUFNLEVBQUUsU0FBUyxDQUFDLE9BQU8sT0FBTyxPQUFPLENBQUMsRUFBRSxVQUFVLFdBQVc7QUFBQSxFQUNsRjtBQUFBLEVBSUEsTUFBTSxHQUFnRixRQUFvQztBQUN4SCxVQUFNLFFBQVEsSUFBSSxDQUFDLEtBQUssT0FBTyxNQUFNLEdBQUcsS0FBSyxLQUFLLE1BQU0sR0FBRyxLQUFLLEtBQUssTUFBTSxDQUFDLENBQUM7QUFDN0UsVUFBTSxRQUFRLE1BQU0sS0FBSyxNQUFNLE1BQU0sRUFBRSxRQUFRO0FBQy9DLFdBQU8saURBQWlELE1BQU0sS0FBSyxJQUFJLENBQUM7QUFBQSxFQUMxRTtBQUNGO0FBckR1QjtBQVlyQjtBQUFBLEVBREMsS0FBSztBQUFBLEVBQ0EsNEJBQVMsRUFBRSxhQUFhLEtBQUssUUFBUSxDQUFDLGdCQUFnQixRQUFRLFNBQVMsRUFBRSxDQUFDO0FBQUEsR0FackUsVUFZWDtBQVlNO0FBQUEsRUFETCxLQUFLO0FBQUEsRUFDUSw0QkFBUyxFQUFFLGFBQWEsS0FBSyxRQUFRLENBQUMsZ0JBQWdCLFFBQVEsU0FBUyxFQUFFLENBQUM7QUFBQSxHQXhCN0UsVUF3Qkw7QUFNQTtBQUFBLEVBREwsS0FBSztBQUFBLEVBQ00sNEJBQVMsRUFBRSxhQUFhLEtBQUssUUFBUSxDQUFDLGdCQUFnQixRQUFRLFNBQVMsRUFBRSxDQUFDO0FBQUEsR0E5QjNFLFVBOEJMO0FBTUE7QUFBQSxFQURMLEtBQUs7QUFBQSxFQUNNLDRCQUFTLEVBQUUsYUFBYSxLQUFLLFFBQVEsQ0FBQyxnQkFBZ0IsUUFBUSxTQUFTLEVBQUUsQ0FBQztBQUFBLEdBcEMzRSxVQW9DTDtBQU1OO0FBQUEsRUFEQyxLQUFLO0FBQUEsRUFDQyw0QkFBUyxFQUFFLGFBQWEsS0FBSyxRQUFRLENBQUMsZ0JBQWdCLFFBQVEsU0FBUyxFQUFFLENBQUM7QUFBQSxHQTFDdEUsVUEwQ1g7QUFNTTtBQUFBLEVBREwsS0FBSztBQUFBLEVBQ0ksNEJBQVMsRUFBRSxhQUFhLEtBQUssUUFBUSxDQUFDLGdCQUFnQixRQUFRLFNBQVMsRUFBRSxDQUFDO0FBQUEsR0FoRHpFLFVBZ0RMO0FBaERLLFlBQU47QUFBQSxFQUROLE9BQU87QUFBQSxHQUNLOyIsCiAgIm5hbWVzIjogW10KfQo=

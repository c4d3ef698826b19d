/*
 * iamport.js for the PortOne V1 sandbox: IMP.init and IMP.request_pay with a Kakao Pay window.
 *
 * Load it from any origin with a plain <script src>. It never calls its server from the merchant
 * page: it submits the request as a form into a frame on the sandbox's origin (PC overlay) or
 * into the page itself (phone, when there is an m_redirect_url). The frame answers with
 * postMessage, checked against the sandbox's origin, the frame and the request's id.
 */
(function () {
  "use strict";

  var script = document.currentScript;
  // The script is served at <sandbox root>/v1/iamport.js, wherever the sandbox is mounted.
  var root = new URL("../", script.src).href;
  var sandboxOrigin = new URL(root).origin;
  var PHONE = /Android|iPhone|iPad|iPod|Mobile/i;
  var impCode = null;
  var current = null;

  function failure(merchantUid, code, message) {
    return {
      success: false,
      imp_success: false,
      imp_uid: null,
      merchant_uid: merchantUid === undefined ? null : merchantUid,
      error_code: code,
      error_msg: message,
    };
  }

  function later(callback, rsp) {
    setTimeout(function () {
      callback(rsp);
    }, 0);
  }

  function requestId() {
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.prototype.map
      .call(bytes, function (b) {
        return ("0" + b.toString(16)).slice(-2);
      })
      .join("");
  }

  /* The refusals the real SDK makes before it opens anything; the server checks the rest. */
  function refusal(params) {
    if (!impCode) {
      return ["F401", "가맹점 식별코드가 없습니다. IMP.init()을 먼저 호출해주세요."];
    }
    if (location.origin === "null") {
      return ["F400", "출처(origin)가 없는 페이지에서는 결제창을 열 수 없습니다."];
    }
    if (!params || typeof params !== "object") {
      return ["F400", "결제요청 파라메터가 누락되었습니다."];
    }
    if ([undefined, null, ""].indexOf(params.merchant_uid) !== -1) {
      return ["F400", "merchant_uid는 필수 파라메터입니다."];
    }
    if (params.amount === undefined || params.amount === null) {
      return ["F400", "amount는 필수 파라메터입니다."];
    }
    if (typeof params.amount !== "number") {
      return ["F400", "amount는 문자열이 아닌 숫자여야 합니다."];
    }
    return null;
  }

  function submit(target, fields) {
    var form = document.createElement("form");
    form.method = "post";
    form.action = root + "window/open";
    form.target = target;
    form.acceptCharset = "UTF-8";
    form.style.display = "none";
    Object.keys(fields).forEach(function (name) {
      var input = document.createElement("input");
      input.type = "hidden";
      input.name = name;
      input.value = fields[name];
      form.appendChild(input);
    });
    document.body.appendChild(form);
    form.submit();
    form.remove();
  }

  /*
   * The overlay is a modal <dialog>: the rest of the page is inert while it is open, assistive
   * technology announces it as "Kakao Pay", and the focus goes into its frame. Escape on this
   * side of the frame asks the window to cancel, as its Cancel button does (the window handles
   * Escape itself when the focus is inside it). Its styles are set property by property, which
   * a Content-Security-Policy without 'unsafe-inline' allows.
   */
  function openOverlay(id) {
    var dialog = document.createElement("dialog");
    dialog.className = "imp-dialog";
    dialog.setAttribute("aria-label", "Kakao Pay");
    dialog.setAttribute("aria-modal", "true");
    dialog.style.cssText =
      "position:fixed;inset:0;z-index:2147483647;width:100%;height:100%;max-width:none;" +
      "max-height:none;margin:0;padding:0;border:0;overflow:hidden;background:rgba(0,0,0,0.5);";
    var frame = document.createElement("iframe");
    frame.name = "imp-frame-" + id;
    frame.className = "imp-frame";
    frame.title = "Kakao Pay";
    frame.style.cssText =
      "position:absolute;inset:0;width:100%;height:100%;border:0;background:transparent;";
    dialog.appendChild(frame);
    dialog.addEventListener("cancel", function (event) {
      event.preventDefault();
      askToCancel(id);
    });
    // Chrome closes a dialog anyway after repeated Escapes: the payment is cancelled then too.
    dialog.addEventListener("close", function () {
      askToCancel(id);
    });
    document.body.appendChild(dialog);
    return { dialog: dialog, frame: frame };
  }

  function askToCancel(id) {
    if (current && current.id === id) {
      var message = { source: "imp-sandbox", request_id: id, type: "cancel" };
      current.overlay.frame.contentWindow.postMessage(message, sandboxOrigin);
    }
  }

  function show(request) {
    var dialog = request.overlay.dialog;
    if (!dialog.open) {
      dialog.showModal();
      document.documentElement.style.overflow = "hidden";
    }
    request.overlay.frame.focus();
  }

  /* Close the dialog, give the focus back to what had it before the window opened, answer. */
  function finish(rsp) {
    var request = current;
    current = null;
    if (request.overlay.dialog.open) {
      request.overlay.dialog.close();
    }
    request.overlay.dialog.remove();
    document.documentElement.style.overflow = request.overflow;
    var opener = request.opener;
    if (opener && opener !== document.body && opener.isConnected && opener.focus) {
      opener.focus();
    }
    request.callback(rsp);
  }

  window.addEventListener("message", function (event) {
    if (!current || event.origin !== sandboxOrigin) {
      return;
    }
    if (event.source !== current.overlay.frame.contentWindow) {
      return;
    }
    var data = event.data;
    if (!data || data.source !== "imp-sandbox" || data.request_id !== current.id) {
      return;
    }
    if (data.type === "open") {
      show(current);
    } else if (data.type === "result" && data.rsp && typeof data.rsp === "object") {
      finish(data.rsp);
    }
  });

  function init(code) {
    impCode = typeof code === "string" && code ? code : null;
  }

  function request_pay(params, callback) {
    var done = typeof callback === "function" ? callback : function () {};
    var refused = refusal(params);
    if (refused) {
      later(done, failure(params && params.merchant_uid, refused[0], refused[1]));
      return;
    }
    if (current) {
      later(done, failure(params.merchant_uid, "F1004", "이미 결제창이 열려 있습니다."));
      return;
    }
    var request = Object.assign({}, params);
    var redirect = PHONE.test(navigator.userAgent) && Boolean(params.m_redirect_url);
    if (params.m_redirect_url) {
      try {
        request.m_redirect_url = new URL(params.m_redirect_url, location.href).href;
      } catch (error) {
        later(done, failure(params.merchant_uid, "F400", "m_redirect_url이 올바른 주소가 아닙니다."));
        return;
      }
    }
    var body;
    try {
      body = JSON.stringify(request);
    } catch (error) {
      later(done, failure(params.merchant_uid, "F400", "결제요청 파라메터를 전송할 수 없습니다."));
      return;
    }
    var id = requestId();
    var fields = {
      imp_code: impCode,
      params: body,
      origin: location.origin,
      mode: redirect ? "redirect" : "overlay",
      request_id: id,
    };
    if (redirect) {
      submit("_self", fields);
      return;
    }
    current = {
      id: id,
      callback: done,
      opener: document.activeElement,
      overlay: openOverlay(id),
      overflow: document.documentElement.style.overflow,
    };
    submit(current.overlay.frame.name, fields);
  }

  window.IMP = { init: init, request_pay: request_pay };
})();

/*
 * The checkout's delivery fields (recipient.js shows and hides the recipient's): the memo's own
 * words show only for "Write my own", and "Find postcode" opens Kakao's (Daum's) postcode search
 * where its script loads. Where it does not (offline, blocked), the page says so, the button
 * only points to the postcode field, and the buyer types the postcode and address, which are
 * ordinary fields either way. Without this script every
 * field shows and nothing is hidden. Its words come translated in the script tag's data attributes.
 */
(function () {
  "use strict";

  var script = document.currentScript;
  var form = document.getElementById("checkout-form");
  if (!form) {
    return;
  }
  var memoChoice = form.elements.memo_choice;
  var ownWords = document.getElementById("memo-own-words");
  var postcode = form.elements.buyer_postcode;
  var address = form.elements.buyer_addr;
  var detail = form.elements.address_detail;
  var finder = document.getElementById("postcode-search");
  var status = document.getElementById("postcode-status");
  // "loading" or "failed" until the postcode search's script defines window.daum.
  var search = "failed";

  function showOwnWords() {
    ownWords.hidden = memoChoice.value !== "own";
  }

  function filled(data) {
    postcode.value = data.zonecode;
    address.value = data.userSelectedType === "J" ? data.jibunAddress : data.roadAddress;
    if (data.buildingName && data.userSelectedType !== "J") {
      address.value += " (" + data.buildingName + ")";
    }
    status.textContent = "";
    detail.focus();
  }

  function findPostcode() {
    if (window.daum && window.daum.Postcode) {
      new window.daum.Postcode({ oncomplete: filled }).open();
      return;
    }
    status.textContent =
      search === "loading" ? script.dataset.postcodeLoading : script.dataset.postcodeUnavailable;
    postcode.focus();
  }

  function loadPostcodeSearch() {
    var url = script.dataset.postcodeScript;
    if (!url) {
      return;
    }
    search = "loading";
    var tag = document.createElement("script");
    tag.src = url;
    tag.onerror = function () {
      search = "failed";
      // Said at once, so no one waits on a button that cannot work.
      finder.setAttribute("aria-disabled", "true");
      status.textContent = script.dataset.postcodeUnavailable;
    };
    document.head.appendChild(tag);
  }

  memoChoice.addEventListener("change", showOwnWords);
  showOwnWords();
  finder.hidden = false;
  finder.addEventListener("click", findPostcode);
  // After the page has loaded, so a slow or unreachable postcode service never holds it up.
  if (document.readyState === "complete") {
    loadPostcodeSearch();
  } else {
    window.addEventListener("load", loadPostcodeSearch);
  }
})();

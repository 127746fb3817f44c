/* lecun-site: click-to-load video players. Until the reader clicks, the page holds a link to
   the video's page and nothing from the video host is loaded (no request, no cookie). */
(function () {
  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest(".video .video-open") : null;
    if (!link) { return; }
    var box = link.parentNode;
    var frame = document.createElement("iframe");
    frame.src = box.getAttribute("data-player");
    frame.title = box.getAttribute("data-title") || "video";
    frame.setAttribute("allow", "autoplay; encrypted-media; picture-in-picture; fullscreen");
    frame.setAttribute("allowfullscreen", "");
    frame.setAttribute("referrerpolicy", "strict-origin-when-cross-origin");
    event.preventDefault();
    box.replaceChildren(frame);
    box.classList.add("video-loaded");
  });
})();

/* Reads a company's QR code with the phone's camera (BarcodeDetector where the browser has it,
   else the vendored jsQR) and submits the code form with what it read. */
(function () {
  "use strict";
  var button = document.querySelector("[data-scan]");
  var devices = navigator.mediaDevices;
  if (!button || !devices || !devices.getUserMedia) {
    return;
  }
  var form = button.closest("form");
  var input = form.querySelector("input[name=code]");
  var panel = form.querySelector("[data-scanner]");
  var video = form.querySelector("[data-scan-video]");
  var status = form.querySelector("[data-scan-status]");
  var canvas = document.createElement("canvas");
  var context = canvas.getContext("2d", { willReadFrequently: true });
  var detector = null;
  var stream = null;
  button.hidden = false;
  // The browser's own detector where it reads QR codes (Android, macOS), else jsQR.
  if ("BarcodeDetector" in window && window.BarcodeDetector.getSupportedFormats) {
    window.BarcodeDetector.getSupportedFormats().then(function (formats) {
      if (formats.indexOf("qr_code") >= 0) {
        detector = new window.BarcodeDetector({ formats: ["qr_code"] });
      }
    }).catch(function () { return null; });
  }

  function stop() {
    if (stream) {
      stream.getTracks().forEach(function (track) { track.stop(); });
      stream = null;
    }
    panel.hidden = true;
  }
  function found(text) {
    stop();
    input.value = text;
    form.requestSubmit();
  }
  async function read() {
    if (!stream) {
      return;
    }
    if (video.readyState >= 2) {
      if (detector) {
        var codes = await detector.detect(video).catch(function () {
          detector = null; // it cannot read this camera: jsQR from the next frame on
          return [];
        });
        if (codes.length) {
          return found(codes[0].rawValue);
        }
      } else if (window.jsQR) {
        canvas.width = video.videoWidth;
        canvas.height = video.videoHeight;
        context.drawImage(video, 0, 0, canvas.width, canvas.height);
        var image = context.getImageData(0, 0, canvas.width, canvas.height);
        var code = window.jsQR(image.data, image.width, image.height, { inversionAttempts: "dontInvert" });
        if (code && code.data) {
          return found(code.data);
        }
      }
    }
    window.requestAnimationFrame(read);
  }
  button.addEventListener("click", async function () {
    try {
      stream = await devices.getUserMedia({ video: { facingMode: "environment" }, audio: false });
    } catch (error) {
      status.textContent = button.dataset.msgNoCamera || status.textContent;
      panel.hidden = false;
      return;
    }
    panel.hidden = false;
    video.srcObject = stream;
    await video.play().catch(function () { return null; });
    window.requestAnimationFrame(read);
  });
  form.querySelector("[data-scan-stop]").addEventListener("click", stop);
})();
